package dev.strata.bench.peer;

import org.junit.jupiter.api.parallel.ResourceLock;
import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.engine.gguf.GgmlType;
import dev.strata.engine.tensor.ComputePool;
import dev.strata.engine.tensor.FloatTensor;
import dev.strata.engine.tensor.MatMul;
import dev.strata.engine.tensor.Quantizer;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Strata's matrix-vector product (activation rounding plus kernel) against ggml's own {@code vec_dot}
 * of the bundled llama.cpp, row by row, on the same quantized rows and float activations.
 */
@ResourceLock(PeerLock.LLAMA_CPP)
class GgmlVecDotCrossCheckTest {
    static final int COLS = 1024;
    static final int ROWS = 96;

    @ParameterizedTest
    @EnumSource(names = {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q2_K", "Q3_K", "Q4_K",
            "Q5_K", "Q6_K"})
    void strataDotsLikeGgml(GgmlType type) {
        Random random = new Random(31 + type.ordinal());
        float[] w = new float[COLS * ROWS];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (random.nextGaussian() / Math.sqrt(COLS));
        }
        float[] x = new float[COLS];
        for (int i = 0; i < x.length; i++) {
            double g = random.nextGaussian();
            x[i] = (float) (g * (1 + 3 * random.nextDouble() * random.nextDouble()) + 0.2);
        }
        byte[] bytes = Quantizer.quantize(type, w);
        FloatTensor tensor = FloatTensor.of(type, MemorySegment.ofArray(bytes), w.length);
        float[] ours = new float[ROWS];
        try (ComputePool pool = new ComputePool(1)) {
            new MatMul(pool).matvec(tensor, ROWS, COLS, x, ours);
        }
        float[] dequantized = new float[w.length];
        tensor.dequantize(0, dequantized, 0, w.length);
        GgmlVecDot ggml = GgmlVecDot.load();
        int rowBytes = (int) type.sizeBytes(COLS);
        double worst = 0;
        for (int r = 0; r < ROWS; r++) {
            float theirs = ggml.dot(type, Arrays.copyOfRange(bytes, r * rowBytes, (r + 1) * rowBytes), x);
            double scale = 0;
            for (int c = 0; c < COLS; c++) {
                scale += Math.abs(dequantized[r * COLS + c] * x[c]);
            }
            worst = Math.max(worst, Math.abs(ours[r] - theirs) / scale);
        }
        System.out.printf("%s (vec_dot_type %s): max |difference| / sum |w x| %.2e%n", type, ggml.vecDotType(type), worst);
        assertThat(worst).as("ggml rounds and sums the same products; only float summation order differs").isLessThan(1e-6);
    }

    @ParameterizedTest
    @EnumSource(names = {"F32", "Q8_0", "Q4_0", "Q4_K", "Q6_K"})
    void preparedRowsGiveTheSameDotsAsOneRowCalls(GgmlType type) {
        Random random = new Random(7 + type.ordinal());
        int rows = 8;
        float[] w = new float[COLS * rows];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (random.nextGaussian() / Math.sqrt(COLS));
        }
        float[] x = new float[COLS];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        byte[] bytes = Quantizer.quantize(type, w);
        GgmlVecDot ggml = GgmlVecDot.load();
        float[] out = new float[rows];
        try (GgmlVecDot.Rows prepared = ggml.rows(type, bytes, rows, COLS)) {
            prepared.matvec(x, out);
            prepared.matvec(x, out); // reusable
        }
        int rowBytes = (int) type.sizeBytes(COLS);
        for (int r = 0; r < rows; r++) {
            assertThat(out[r]).as("row " + r)
                    .isEqualTo(ggml.dot(type, Arrays.copyOfRange(bytes, r * rowBytes, (r + 1) * rowBytes), x));
        }
    }
}
