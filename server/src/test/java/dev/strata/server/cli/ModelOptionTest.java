package dev.strata.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ModelOptionTest {
    @Test
    void tinyModelsRunTheScalarKernelsUnlessTheUserChose() {
        assertThat(ModelOption.prefersScalarKernels(null, 1_200_000)).isTrue();
        assertThat(ModelOption.prefersScalarKernels(null, ModelOption.SCALAR_KERNELS_MAX_BYTES)).isTrue();
        assertThat(ModelOption.prefersScalarKernels(null, ModelOption.SCALAR_KERNELS_MAX_BYTES + 1)).isFalse();
        assertThat(ModelOption.prefersScalarKernels("vector", 1_200_000)).isFalse();
        assertThat(ModelOption.prefersScalarKernels("auto", 1_200_000)).isFalse();
    }
}
