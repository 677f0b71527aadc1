package dev.strata.engine.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
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

    /** Runs {@link KernelSelfCheck} in a child JVM with {@code jvmFlags}; returns its output. */
    private static String selfCheck(String... jvmFlags) throws Exception {
        java.util.List<String> command = new java.util.ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(java.util.List.of(jvmFlags));
        command.addAll(java.util.List.of("-cp", System.getProperty("java.class.path"), KernelSelfCheck.class.getName()));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(process.waitFor()).as(output).isZero();
        return output;
    }

    @Test
    void avx2ShapedVectorsAgreeWithTheReference() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(VectorShapes.usable(), "no 256-bit vectors here");
        assertThat(selfCheck("--add-modules", "jdk.incubator.vector", "-Dstrata.vector.bits=256"))
                .contains("vector (8 x float)").contains("ok");
    }

    @Test
    void withoutTheIncubatorModuleTheScalarKernelsRun() throws Exception {
        assertThat(selfCheck()).contains("scalar").contains("ok").doesNotContain("Exception");
    }
}
