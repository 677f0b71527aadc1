package dev.strata.engine.kv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Each storage type against an exact (double) oracle computed from its own dequantized rows, and
 * each vector kernel against its scalar reference on random data, at unaligned offsets and with
 * tails. Tolerance: 1e-5 relative to the sum of |terms| (float rounding of a length-160 sum, fma
 * vs multiply-add), which is far below what quantization itself changes.
 */
class KvRowsTest {
    private static final int SLOTS = 5;
    private static final int WIDTH = 160; // five Q8_0 blocks
    private static final int[][] RANGES = {{0, 160}, {0, 64}, {32, 64}, {3, 77}, {8, 8}, {96, 33}, {150, 10}, {0, 1}};

    @Test
    void writtenRowsReadBackWithinTheTypesRoundingError() {
        Random random = new Random(1);
        for (KvCacheType type : KvCacheType.values()) {
            KvRows rows = type.newRows(SLOTS, WIDTH);
            float[] src = randomRow(random);
            rows.write(3, src, 0);
            float[] back = new float[WIDTH];
            rows.read(3, back, 0);
            for (int j = 0; j < WIDTH; j++) {
                float bound = switch (type) {
                    case F32 -> 0f;
                    case F16 -> Math.abs(src[j]) * 0x1p-11f;                 // half an fp16 ulp
                    case Q8_0 -> blockMax(src, j) / 127f * 0.57f;            // half a step + 127 x fp16 scale error
                };
                assertThat(back[j]).as(type + " value " + j).isCloseTo(src[j], offset(bound));
            }
        }
    }

    @Test
    void dotAndAddScaledMatchTheOracleOnEveryRange() {
        Random random = new Random(2);
        for (KvCacheType type : KvCacheType.values()) {
            KvRows rows = filled(type, random);
            float[] x = randomRow(random);
            float[] row = new float[WIDTH];
            rows.read(2, row, 0);
            for (int[] r : RANGES) {
                int from = r[0];
                int length = r[1];
                double exact = 0;
                double magnitude = 0;
                for (int j = 0; j < length; j++) {
                    exact += (double) row[from + j] * x[1 + j];
                    magnitude += Math.abs((double) row[from + j] * x[1 + j]);
                }
                assertThat((double) rows.dot(2, from, x, 1, length)).as(type + " dot " + from + "+" + length)
                        .isCloseTo(exact, offset(1e-5 * magnitude + 1e-7));
                float[] out = new float[length + 3];
                out[2] = 0.25f;
                rows.addScaled(2, from, -0.5f, out, 2, length);
                for (int j = 0; j < length; j++) {
                    double expected = (j == 0 ? 0.25 : 0) - 0.5 * row[from + j];
                    assertThat((double) out[2 + j]).as(type + " addScaled " + from + "+" + length + " at " + j)
                            .isCloseTo(expected, offset(1e-6 * (1 + Math.abs(expected))));
                }
                assertThat(out[0]).isZero();
                assertThat(out[1]).isZero();
            }
        }
    }

    @Test
    void vectorKernelsMatchTheirScalarReferences() {
        Assumptions.assumeTrue(KvVectors.VECTOR, "vector kernels not available");
        Random random = new Random(3);
        float[] x = randomRow(random);
        F16Rows f16 = (F16Rows) filled(KvCacheType.F16, random);
        Q8_0Rows q8 = (Q8_0Rows) filled(KvCacheType.Q8_0, random);
        int blocksPerRow = KvCacheType.blocksPerRow(WIDTH);
        for (int[] r : RANGES) {
            int at = WIDTH + r[0];
            int length = r[1];
            assertClose(F16Rows.Simd.dot(f16.data(), at, x, 1, length),
                    F16Rows.scalarDot(f16.data(), at, x, 1, length), "f16 " + r[0] + "+" + length);
            float[] vectorOut = new float[length + 1];
            float[] scalarOut = new float[length + 1];
            F16Rows.Simd.addScaled(f16.data(), at, 0.75f, vectorOut, 1, length);
            F16Rows.scalarAddScaled(f16.data(), at, 0.75f, scalarOut, 1, length);
            if (r[0] % 32 == 0 && length % 32 == 0) { // the Q8_0 vector path takes whole blocks only
                assertClose(Q8_0Rows.Simd.dot(q8.quants(), q8.scales(), at, blocksPerRow + r[0] / 32, x, 1, length),
                        Q8_0Rows.scalarDot(q8.quants(), q8.scales(), 1, WIDTH, blocksPerRow, r[0], x, 1, length),
                        "q8_0 " + r[0] + "+" + length);
                Q8_0Rows.Simd.addScaled(q8.quants(), q8.scales(), at, blocksPerRow + r[0] / 32, 0.75f, vectorOut, 1,
                        length);
                Q8_0Rows.scalarAddScaled(q8.quants(), q8.scales(), 1, WIDTH, blocksPerRow, r[0], 0.75f, scalarOut, 1,
                        length);
            }
            for (int j = 0; j < vectorOut.length; j++) {
                assertThat(vectorOut[j]).as("addScaled " + r[0] + "+" + length + " at " + j)
                        .isCloseTo(scalarOut[j], offset(1e-6f * (1 + Math.abs(scalarOut[j]))));
            }
        }
    }

    @Test
    void exportedRowsImportBitForBit() {
        Random random = new Random(4);
        for (KvCacheType type : KvCacheType.values()) {
            KvRows rows = filled(type, random);
            ByteBuffer buffer = ByteBuffer.allocate((int) (2 * type.rowBytes(WIDTH)));
            rows.exportRows(1, 2, buffer);
            assertThat(buffer.remaining()).isZero();
            KvRows copy = type.newRows(SLOTS, WIDTH);
            copy.importRows(3, 2, buffer.flip());
            float[] a = new float[WIDTH];
            float[] b = new float[WIDTH];
            for (int k = 0; k < 2; k++) {
                rows.read(1 + k, a, 0);
                copy.read(3 + k, b, 0);
                assertThat(b).as(type.toString()).containsExactly(a);
            }
        }
    }

    @Test
    void sizesFollowTheTypesBytesPerValue() {
        assertThat(KvCacheType.F32.newRows(10, 64).sizeBytes()).isEqualTo(10 * 64 * 4);
        assertThat(KvCacheType.F16.newRows(10, 64).sizeBytes()).isEqualTo(10 * 64 * 2);
        assertThat(KvCacheType.Q8_0.newRows(10, 64).sizeBytes()).isEqualTo(10 * 64 * 34 / 32);
        assertThat(KvCacheType.Q8_0.rowBytes(40)).isEqualTo(40 + 2 * 2); // a partial block still has a scale
    }

    @Test
    void parsesFlagNames() {
        assertThat(KvCacheType.parse("F16")).isEqualTo(KvCacheType.F16);
        assertThat(KvCacheType.parse(" q8_0 ")).isEqualTo(KvCacheType.Q8_0);
        assertThatThrownBy(() -> KvCacheType.parse("q4_0")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("f32, f16 or q8_0");
    }

    private static KvRows filled(KvCacheType type, Random random) {
        KvRows rows = type.newRows(SLOTS, WIDTH);
        for (int s = 0; s < SLOTS; s++) {
            rows.write(s, randomRow(random), 0);
        }
        return rows;
    }

    private static float[] randomRow(Random random) {
        float[] row = new float[WIDTH + 1];
        for (int j = 0; j < row.length; j++) {
            row[j] = (float) (random.nextGaussian() * (j % 7 == 0 ? 4 : 1));
        }
        return row;
    }

    private static float blockMax(float[] src, int j) {
        int from = j / 32 * 32;
        float max = 0;
        for (int i = from; i < Math.min(WIDTH, from + 32); i++) {
            max = Math.max(max, Math.abs(src[i]));
        }
        return max;
    }

    private static void assertClose(float vector, float scalar, String what) {
        assertThat(vector).as(what).isCloseTo(scalar, offset(1e-5f * (1 + Math.abs(scalar))));
    }
}
