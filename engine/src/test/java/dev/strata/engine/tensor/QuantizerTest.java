package dev.strata.engine.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.engine.gguf.GgmlType;
import dev.strata.engine.gguf.GgufFile;
import dev.strata.engine.gguf.GgufTensorInfo;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class QuantizerTest {
    /**
     * SHA-256 of ggml's {@code quantize_row_*_ref} output for {@link #referenceInput()}: ggml commit
     * d99724f (2026-08-21), {@code ggml-quants.c} built with gcc 12 -O2 for baseline x86-64 (no FMA
     * contraction), run once by hand on the input this class generates. Builds with
     * {@code -march=native} contract some K-quant multiply-adds into FMAs and differ in a few codes.
     */
    private static final Map<GgmlType, String> GGML_REFERENCE_SHA256 = Map.ofEntries(
            Map.entry(GgmlType.Q8_0, "37b01a010c00f517886033fba481e235b59f49cad5241539895a8d877a2a8379"),
            Map.entry(GgmlType.Q4_0, "3c61a5905e894886ae30e0f72ece02be414420eaca94a30e395526deb55a5741"),
            Map.entry(GgmlType.Q4_1, "910996022f047af0f0c2a1b0f842c3503d8bf712fd637a1044bf0edd4bcf5a6a"),
            Map.entry(GgmlType.Q5_0, "0c9fd0cff4539981a62f2b78fa5298ff2789aea53c198bcd0847a18fd2526d51"),
            Map.entry(GgmlType.Q5_1, "e2a466ae950da65e0d92eb38f8c2c98aa45411e6cfd0b8a110d4d41357a07b9d"),
            Map.entry(GgmlType.Q2_K, "4390c66c97a2ed6215e6932e6945ceb11e8d652190d8f6839412dc319bbc5f63"),
            Map.entry(GgmlType.Q3_K, "918f4df69f2f18dc578b41ee569b648aff6159730a7164e24f67f5002c480a32"),
            Map.entry(GgmlType.Q4_K, "b5069cba6d13b386c3cd05fbec4d71632a023aae1e154e386865be181971e4d3"),
            Map.entry(GgmlType.Q5_K, "a317f6e4c22e155c7c077f516ae0ded83eb74d75c26062e184f325bc93e31119"),
            Map.entry(GgmlType.Q6_K, "03778fa13618087607085e7f4991f2eb8173cec5b31140818096ae7f44364256"),
            Map.entry(GgmlType.Q8_K, "b56488f3f8f3d6a9465a57f99abd3bdfad433529c761046bdea03e8f966424db"));

    /** 64 super-blocks cycling through gaussian, cosine, sparse-outlier and skewed uniform data. */
    static float[] referenceInput() {
        int n = 256 * 64;
        float[] x = new float[n];
        Random random = new Random(20251123);
        for (int i = 0; i < n; i++) {
            x[i] = switch ((i / 256) % 4) {
                case 0 -> (float) random.nextGaussian();
                case 1 -> 0.1f + 2 * (float) StrictMath.cos(i);
                case 2 -> (float) (random.nextGaussian() * 0.02 + (random.nextInt(50) == 0 ? 1.5 : 0));
                default -> (float) (random.nextDouble() * 3 - 0.5);
            };
        }
        return x;
    }

    static GgmlType[] referenceTypes() {
        return GGML_REFERENCE_SHA256.keySet().stream().sorted().toArray(GgmlType[]::new);
    }

    @ParameterizedTest
    @MethodSource("referenceTypes")
    void matchesGgmlReferenceQuantizerBitForBit(GgmlType type) throws Exception {
        byte[] quantized = Quantizer.quantize(type, referenceInput());
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(quantized));
        assertThat(sha).as(type.toString()).isEqualTo(GGML_REFERENCE_SHA256.get(type));
    }

    @Test
    void q8_0MatchesTheBundledQ8_0ModelByteForByte() {
        Path dir = Path.of(System.getProperty("strata.models.dir", "../models"));
        try (GgufFile f32 = GgufFile.open(dir.resolve("stories260K.gguf"));
                GgufFile q8 = GgufFile.open(dir.resolve("stories260K-q8_0.gguf"))) {
            int compared = 0;
            for (GgufTensorInfo info : q8.tensors()) {
                if (info.type() != GgmlType.Q8_0) {
                    continue;
                }
                GgufTensorInfo source = f32.tensor(info.name()).orElseThrow();
                float[] values = f32.tensorData(source).toArray(ValueLayout.JAVA_FLOAT.withOrder(ByteOrder.LITTLE_ENDIAN));
                byte[] ours = Quantizer.quantize(GgmlType.Q8_0, values);
                byte[] theirs = q8.tensorData(info).toArray(ValueLayout.JAVA_BYTE);
                assertThat(ours).as(info.name()).isEqualTo(theirs);
                compared++;
            }
            assertThat(compared).isEqualTo(1 + 5 * 6);
        }
    }

    /**
     * ggml's test-quantize-fns: quantize {@code 0.1 + 2 cos(i)} (4096 values), dequantize, and bound
     * {@code sqrt(sum of squared errors) / n} by 0.002 (0.0075 for Q2_K, 0.004 for Q3_K).
     */
    @ParameterizedTest
    @MethodSource("dev.strata.engine.tensor.KernelTestSupport#types")
    void roundTripErrorIsWithinGgmlBounds(GgmlType type) {
        int n = 32 * 128;
        float[] data = KernelTestSupport.cosine(n, 0f);
        FloatTensor tensor = FloatTensor.of(type, MemorySegment.ofArray(Quantizer.quantize(type, data)), n);
        float[] back = new float[n];
        tensor.dequantize(0, back, 0, n);
        double sum = 0;
        for (int i = 0; i < n; i++) {
            double diff = data[i] - back[i];
            sum += diff * diff;
        }
        double error = Math.sqrt(sum) / n;
        double bound = switch (type) {
            case Q2_K -> 0.0075;
            case Q3_K -> 0.0040;
            default -> 0.002;
        };
        assertThat(error).as(type.toString()).isLessThan(bound);
    }

    /** ggml's dot product check: {@code |dot(q(a), b) - dot(a, b)| / n} below 0.02 (0.04 for 2-3 bits). */
    @ParameterizedTest
    @MethodSource("dev.strata.engine.tensor.KernelTestSupport#types")
    void dotProductErrorIsWithinGgmlBounds(GgmlType type) {
        int n = 32 * 128;
        float[] a = KernelTestSupport.cosine(n, 0f);
        float[] b = KernelTestSupport.cosine(n, 1f);
        FloatTensor tensor = FloatTensor.of(type, MemorySegment.ofArray(Quantizer.quantize(type, a)), n);
        double exact = 0;
        for (int i = 0; i < n; i++) {
            exact += a[i] * b[i];
        }
        double bound = type == GgmlType.Q2_K || type == GgmlType.Q3_K ? 0.04 : 0.02;
        assertThat(Math.abs(tensor.dot(0, b, 0, n) - exact) / n).as(type.toString()).isLessThan(bound);
    }

    @ParameterizedTest
    @MethodSource("dev.strata.engine.tensor.KernelTestSupport#types")
    void zerosStayZeros(GgmlType type) {
        int n = Math.max(32, type.blockSize()) * 2;
        FloatTensor tensor = FloatTensor.of(type, MemorySegment.ofArray(Quantizer.quantize(type, new float[n])), n);
        float[] back = new float[n];
        tensor.dequantize(0, back, 0, n);
        for (float v : back) {
            assertThat(v == 0f).as(type + " dequantizes zeros to (signed) zero").isTrue();
        }
    }

    @Test
    void quantizesIntoASegmentAtAnOffset() {
        float[] values = KernelTestSupport.cosine(96, 3f);
        byte[] whole = Quantizer.quantize(GgmlType.Q4_0, values);
        MemorySegment dst = MemorySegment.ofArray(new byte[100]);
        Quantizer.quantize(GgmlType.Q4_0, values, 32, 64, dst, 5);
        assertThat(dst.asSlice(5, 36).toArray(ValueLayout.JAVA_BYTE))
                .isEqualTo(java.util.Arrays.copyOfRange(whole, 18, 54));
    }

    @Test
    void rejectsLengthsOffTheBlockGridAndUnsupportedTypes() {
        assertThatThrownBy(() -> Quantizer.quantize(GgmlType.Q4_K, new float[300]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("block size 256");
        assertThatThrownBy(() -> Quantizer.quantize(GgmlType.IQ4_NL, new float[32]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("IQ4_NL");
        assertThat(Quantizer.supports(GgmlType.Q6_K)).isTrue();
        assertThat(Quantizer.supports(GgmlType.I8)).isFalse();
    }

    @Test
    void bf16RoundsToNearestEvenLikeGgml() {
        assertThat(LittleEndian.toBf16(1.0f)).isEqualTo((short) 0x3F80);
        assertThat(LittleEndian.toBf16(Float.intBitsToFloat(0x3F80_8000))).isEqualTo((short) 0x3F80); // tie, even
        assertThat(LittleEndian.toBf16(Float.intBitsToFloat(0x3F81_8000))).isEqualTo((short) 0x3F82); // tie, up to even
        assertThat(LittleEndian.toBf16(Float.intBitsToFloat(0x3F80_8001))).isEqualTo((short) 0x3F81);
        assertThat(LittleEndian.toBf16(Float.NaN) & 0x7FC0).isEqualTo(0x7FC0);
    }
}
