package dev.strata.bench.peer;

import org.junit.jupiter.api.parallel.ResourceLock;
import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.engine.gguf.GgmlType;
import dev.strata.engine.tensor.FloatTensor;
import dev.strata.engine.tensor.Quantizer;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Strata's quantizer and dequantizer against ggml's, as compiled into the llama.cpp that
 * de.kherud:llama ships: same bytes from the same floats, and both dequantize each other's blocks alike.
 */
@ResourceLock(PeerLock.LLAMA_CPP)
class QuantizerCrossCheckTest {
    static final int ROW = 512;
    static final int ROWS = 64;

    @ParameterizedTest
    @EnumSource(names = {"F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K"})
    void strataAndGgmlAgree(GgmlType type) {
        Random random = new Random(type.ordinal());
        float[] x = new float[ROW * ROWS];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (random.nextGaussian() * 0.05);
        }
        GgmlQuantizer ggml = GgmlQuantizer.load();
        byte[] ours = Quantizer.quantize(type, x);
        byte[] theirs = ggml.quantize(type, x, ROW);
        int sameRows = 0;
        long rowBytes = type.sizeBytes(ROW);
        for (int r = 0; r < ROWS; r++) {
            if (java.util.Arrays.equals(ours, (int) (r * rowBytes), (int) ((r + 1) * rowBytes),
                    theirs, (int) (r * rowBytes), (int) ((r + 1) * rowBytes))) {
                sameRows++;
            }
        }
        float[] ggmlOfOurs = ggml.dequantize(type, MemorySegment.ofArray(ours), x.length);
        float[] oursOfOurs = new float[x.length];
        FloatTensor.of(type, MemorySegment.ofArray(ours), x.length).dequantize(0, oursOfOurs, 0, x.length);
        float[] oursOfTheirs = new float[x.length];
        FloatTensor.of(type, MemorySegment.ofArray(theirs), x.length).dequantize(0, oursOfTheirs, 0, x.length);
        float[] ggmlOfTheirs = ggml.dequantize(type, MemorySegment.ofArray(theirs), x.length);
        System.out.printf("%s: identical rows %d/%d%n", type, sameRows, ROWS);
        assertThat(oursOfOurs).as("Strata dequantizes its own blocks as ggml does").containsExactly(ggmlOfOurs);
        assertThat(oursOfTheirs).as("Strata dequantizes ggml's blocks as ggml does").containsExactly(ggmlOfTheirs);
    }
}
