package dev.strata.engine.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.engine.EngineException;
import dev.strata.engine.gguf.GgmlType;
import dev.strata.engine.gguf.GgufFile;
import dev.strata.engine.gguf.GgufTensorInfo;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ModelQuantizerTest {
    private static ComputePool pool;

    @TempDir
    Path dir;

    @BeforeAll
    static void startPool() {
        pool = new ComputePool(2);
    }

    @AfterAll
    static void stopPool() {
        pool.close();
    }

    private static Path demoModel() {
        return Path.of(System.getProperty("strata.models.dir", "../models"), "stories260K.gguf");
    }

    private static GgufTensorInfo matrix(String name, GgmlType type, long rowLength) {
        return new GgufTensorInfo(name, type, new long[] {rowLength, 8}, 0, 0);
    }

    /** Every tensor of the written model reads back close to the source (relative RMS error). */
    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"Q8_0", "Q4_0", "Q6_K", "F16", "BF16"})
    void convertedModelReadsBackCloseToTheSource(GgmlType target) {
        Path out = dir.resolve(target + ".gguf");
        ModelQuantizer.Report report = new ModelQuantizer(pool).quantize(demoModel(), out,
                new ModelQuantizer.Options(target, false, false));
        assertThat(report.tensors()).hasSize(47);
        double bound = switch (target) {
            case Q4_0 -> 0.15;
            case Q6_K, Q8_0 -> 0.02;
            default -> 0.01;
        };
        try (GgufFile source = GgufFile.open(demoModel()); GgufFile written = GgufFile.open(out)) {
            assertThat(written.getLong("general.file_type")).contains((long) ModelQuantizer.fileType(target));
            for (GgufTensorInfo info : source.tensors()) {
                GgufTensorInfo converted = written.tensor(info.name()).orElseThrow();
                int n = Math.toIntExact(info.numElements());
                float[] a = new float[n];
                float[] b = new float[n];
                FloatTensor.of(info.type(), source.tensorData(info), n).dequantize(0, a, 0, n);
                FloatTensor.of(converted.type(), written.tensorData(converted), n).dequantize(0, b, 0, n);
                double err = 0;
                double norm = 0;
                for (int i = 0; i < n; i++) {
                    err += (a[i] - b[i]) * (double) (a[i] - b[i]);
                    norm += a[i] * (double) a[i];
                }
                assertThat(Math.sqrt(err / norm)).as(info.name() + " as " + converted.type()).isLessThan(bound);
            }
        }
    }

    @Test
    void fallbacksFollowLlamaCpp() {
        ModelQuantizer.Options q4k = new ModelQuantizer.Options(GgmlType.Q4_K, false, false);
        assertThat(ModelQuantizer.targetFor(matrix("a.weight", GgmlType.F32, 512), q4k)).isEqualTo(GgmlType.Q4_K);
        assertThat(ModelQuantizer.targetFor(matrix("a.weight", GgmlType.F32, 96), q4k)).isEqualTo(GgmlType.Q5_0);
        assertThat(ModelQuantizer.targetFor(matrix("a.weight", GgmlType.F16, 100), q4k)).isEqualTo(GgmlType.F16);
        assertThat(ModelQuantizer.targetFor(matrix("a.weight", GgmlType.F32, 96),
                new ModelQuantizer.Options(GgmlType.Q5_K, false, false))).isEqualTo(GgmlType.Q5_1);
        assertThat(ModelQuantizer.targetFor(matrix("a.weight", GgmlType.F32, 96),
                new ModelQuantizer.Options(GgmlType.Q6_K, false, false))).isEqualTo(GgmlType.Q8_0);
        assertThat(ModelQuantizer.targetFor(matrix("a.weight", GgmlType.F32, 96),
                new ModelQuantizer.Options(GgmlType.Q2_K, false, false))).isEqualTo(GgmlType.Q4_0);
        assertThat(ModelQuantizer.targetFor(matrix("a.weight", GgmlType.F32, 100),
                new ModelQuantizer.Options(GgmlType.Q8_0, false, false))).isEqualTo(GgmlType.F32);
        // 1-D tensors and non-weights stay as they are
        assertThat(ModelQuantizer.targetFor(new GgufTensorInfo("n.weight", GgmlType.F32, new long[] {64}, 0, 0), q4k))
                .isEqualTo(GgmlType.F32);
        assertThat(ModelQuantizer.targetFor(matrix("rope_freqs", GgmlType.F32, 512), q4k)).isEqualTo(GgmlType.F32);
    }

    @Test
    void strictModeAndRequantizeAreRefusedWithTheTensorName() {
        assertThatThrownBy(() -> ModelQuantizer.targetFor(matrix("blk.0.ffn_down.weight", GgmlType.F32, 172),
                new ModelQuantizer.Options(GgmlType.Q4_0, true, false)))
                .isInstanceOf(EngineException.InvalidRequest.class)
                .hasMessage("tensor blk.0.ffn_down.weight has rows of 172 elements, not a multiple of Q4_0's block size 32");
        assertThatThrownBy(() -> ModelQuantizer.targetFor(matrix("w.weight", GgmlType.Q8_0, 64),
                new ModelQuantizer.Options(GgmlType.Q4_0, false, false)))
                .isInstanceOf(EngineException.InvalidRequest.class).hasMessageContaining("already Q8_0");
        assertThatThrownBy(() -> new ModelQuantizer.Options(GgmlType.Q8_K, false, false))
                .isInstanceOf(EngineException.InvalidRequest.class).hasMessageContaining("Q8_K");
    }
}
