package dev.strata.engine.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class KernelsTest {
    @Test
    void scalarPropertyOrMissingModuleSelectsScalar() {
        assertThat(Kernels.select("scalar", true)).isFalse();
        assertThat(Kernels.select(" SCALAR ", true)).isFalse();
        assertThat(Kernels.select("vector", false)).isFalse();
        assertThat(Kernels.select("auto", false)).isFalse();
    }

    @Test
    void autoAndVectorUseVectorsWhenTheShapesExist() {
        boolean usable = VectorShapes.usable();
        assertThat(Kernels.select("auto", true)).isEqualTo(usable);
        assertThat(Kernels.select("vector", true)).isEqualTo(usable);
        assertThat(VectorShapes.B.length()).isEqualTo(VectorShapes.LANES);
        assertThat(VectorShapes.S.length()).isEqualTo(VectorShapes.LANES);
        assertThat(VectorShapes.I.length()).isEqualTo(VectorShapes.LANES);
    }

    @Test
    void warmUpRunsTheKernelsOfSupportedTypesAndSkipsOthers() {
        FloatTensor.warmUp(java.util.List.of(dev.strata.engine.gguf.GgmlType.Q8_0, dev.strata.engine.gguf.GgmlType.IQ2_XXS));
    }
}
