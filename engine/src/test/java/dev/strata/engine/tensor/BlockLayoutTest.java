package dev.strata.engine.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.engine.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * Hand-built blocks, laid out byte by byte from ggml's {@code ggml-common.h} structs, dequantize to
 * exactly the values the struct comments define (bit-exact, every element, both kernels' entry
 * points: {@code getFloat} and {@code dequantize}).
 */
class BlockLayoutTest {
    private static final short HALF_ONE = 0x3C00;
    private static final short HALF_HALF = 0x3800;
    private static final short HALF_QUARTER = 0x3400;
    private static final short HALF_TWO = 0x4000;
    private static final short HALF_MINUS_ONE = (short) 0xBC00;

    private static ByteBuffer block(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static void assertDequantizes(GgmlType type, ByteBuffer bytes, float[] expected) {
        FloatTensor t = FloatTensor.of(type, MemorySegment.ofArray(bytes.array()), expected.length);
        float[] out = new float[expected.length];
        t.dequantize(0, out, 0, expected.length);
        for (int i = 0; i < expected.length; i++) {
            assertThat(out[i]).as(type + " element " + i).isEqualTo(expected[i]);
            assertThat(t.getFloat(i)).as(type + " getFloat " + i).isEqualTo(expected[i]);
        }
    }

    @Test
    void halfAndBfloat() {
        ByteBuffer f16 = block(8).putShort(HALF_ONE).putShort((short) 0xC000).putShort((short) 0x0001).putShort((short) 0x7BFF);
        assertDequantizes(GgmlType.F16, f16, new float[] {1f, -2f, 0x1p-24f, 65504f});
        ByteBuffer bf16 = block(4).putShort((short) 0x3F80).putShort((short) 0xC040);
        assertDequantizes(GgmlType.BF16, bf16, new float[] {1f, -3f});
    }

    @Test
    void q8_0() {
        ByteBuffer b = block(34).putShort(HALF_QUARTER);
        float[] expected = new float[32];
        for (int j = 0; j < 32; j++) {
            b.put((byte) (j - 16));
            expected[j] = (j - 16) * 0.25f;
        }
        assertDequantizes(GgmlType.Q8_0, b, expected);
    }

    @Test
    void q4_0AndQ4_1() {
        ByteBuffer q40 = block(18).putShort(HALF_HALF);
        ByteBuffer q41 = block(20).putShort(HALF_HALF).putShort(HALF_MINUS_ONE);
        float[] e40 = new float[32];
        float[] e41 = new float[32];
        for (int j = 0; j < 16; j++) {
            byte packed = (byte) (j | ((15 - j) << 4)); // element j low nibble, element j + 16 high nibble
            q40.put(packed);
            q41.put(packed);
            e40[j] = (j - 8) * 0.5f;
            e40[j + 16] = (15 - j - 8) * 0.5f;
            e41[j] = j * 0.5f - 1f;
            e41[j + 16] = (15 - j) * 0.5f - 1f;
        }
        assertDequantizes(GgmlType.Q4_0, q40, e40);
        assertDequantizes(GgmlType.Q4_1, q41, e41);
    }

    @Test
    void q5_0AndQ5_1() {
        ByteBuffer q50 = block(22).putShort(HALF_ONE).putInt(0xFFFF_0000); // fifth bit set for elements 16..31
        ByteBuffer q51 = block(24).putShort(HALF_TWO).putShort(HALF_HALF).putInt(0x0000_FFFF); // for 0..15
        float[] e50 = new float[32];
        float[] e51 = new float[32];
        for (int j = 0; j < 16; j++) {
            byte packed = (byte) (j | (j << 4));
            q50.put(packed);
            q51.put(packed);
            e50[j] = j - 16;
            e50[j + 16] = (j + 16) - 16;
            e51[j] = (j + 16) * 2f + 0.5f;
            e51[j + 16] = j * 2f + 0.5f;
        }
        assertDequantizes(GgmlType.Q5_0, q50, e50);
        assertDequantizes(GgmlType.Q5_1, q51, e51);
    }

    @Test
    void q8_K() {
        ByteBuffer b = block(292).putFloat(0.125f);
        float[] expected = new float[256];
        for (int j = 0; j < 256; j++) {
            b.put((byte) (j - 128));
            expected[j] = (j - 128) * 0.125f;
        }
        assertDequantizes(GgmlType.Q8_K, b, expected);
    }

    /** Q4_K and Q5_K share the 12-byte scale/min packing; sub-blocks 4-7 need the high bits. */
    static int[][] kScalesAndMins() {
        return new int[][] {{1, 2, 3, 4, 40, 41, 63, 17}, {0, 1, 2, 3, 33, 34, 35, 60}};
    }

    private static byte[] packK4Scales(int[] sc, int[] m) {
        byte[] s = new byte[12];
        for (int j = 0; j < 4; j++) {
            s[j] = (byte) (sc[j] | ((sc[j + 4] >> 4) << 6));
            s[j + 4] = (byte) (m[j] | ((m[j + 4] >> 4) << 6));
            s[j + 8] = (byte) ((sc[j + 4] & 0xF) | ((m[j + 4] & 0xF) << 4));
        }
        return s;
    }

    @ParameterizedTest
    @MethodSource("kScalesAndMinsTypes")
    void q4_KAndQ5_K(GgmlType type) {
        int[] sc = kScalesAndMins()[0];
        int[] m = kScalesAndMins()[1];
        boolean five = type == GgmlType.Q5_K;
        ByteBuffer b = block(type.typeSize()).putShort(HALF_ONE).putShort(HALF_HALF).put(packK4Scales(sc, m));
        float[] expected = new float[256];
        byte[] qh = new byte[32];
        byte[] qs = new byte[128];
        for (int sub = 0; sub < 8; sub++) {
            for (int l = 0; l < 32; l++) {
                int low = (l * 7 + sub) & 0xF;
                int high = five && ((l + sub) % 3 == 0) ? 1 : 0;
                int pair = sub / 2;
                qs[32 * pair + l] |= (byte) (sub % 2 == 0 ? low : low << 4);
                qh[l] |= (byte) (high << sub);
                expected[32 * sub + l] = 1f * sc[sub] * (low + 16 * high) - 0.5f * m[sub];
            }
        }
        if (five) {
            b.put(qh);
        }
        b.put(qs);
        assertDequantizes(type, b, expected);
    }

    static GgmlType[] kScalesAndMinsTypes() {
        return new GgmlType[] {GgmlType.Q4_K, GgmlType.Q5_K};
    }

    @Test
    void q6_K() {
        byte[] ql = new byte[128];
        byte[] qh = new byte[64];
        byte[] scales = new byte[16];
        for (int k = 0; k < 16; k++) {
            scales[k] = (byte) (k * 9 - 70);
        }
        float[] expected = new float[256];
        for (int i = 0; i < 256; i++) {
            int q = (i * 37 + 11) & 63;
            int half = i / 128;
            int k = (i % 128) / 32;
            int l = i % 32;
            int at = 64 * half + l + 32 * (k & 1);
            ql[at] |= (byte) (k < 2 ? q & 0xF : (q & 0xF) << 4);
            qh[32 * half + l] |= (byte) ((q >> 4) << (2 * k));
            expected[i] = 0.25f * scales[8 * half + l / 16 + 2 * k] * (q - 32);
        }
        ByteBuffer b = block(210).put(ql).put(qh).put(scales).putShort(HALF_QUARTER);
        assertDequantizes(GgmlType.Q6_K, b, expected);
    }

    @Test
    void q2_KAndQ3_K() {
        // Q2_K: scale byte = scale | min << 4; element 32j + w of half n: bits 2j of qs[32n + w], scale byte 8n + 2j + w/16
        byte[] scales2 = new byte[16];
        byte[] qs = new byte[64];
        float[] e2 = new float[256];
        float[] e3 = new float[256];
        byte[] hmask = new byte[32];
        int[] sc3 = new int[16];
        for (int k = 0; k < 16; k++) {
            scales2[k] = (byte) ((k % 16) | (((15 - k) % 16) << 4));
            sc3[k] = k * 4 - 30; // signed, stored + 32 in 6 bits
        }
        for (int i = 0; i < 256; i++) {
            int half = i / 128;
            int j = (i % 128) / 32;
            int w = i % 32;
            int q = (i * 5 + 3) & 3;
            int high = (i % 7 == 0) ? 0 : 1;
            qs[32 * half + w] |= (byte) (q << (2 * j));
            hmask[w] |= (byte) (high << (4 * half + j));
            int sb = 8 * half + 2 * j + w / 16;
            e2[i] = 0.5f * (scales2[sb] & 0xF) * q - 0.25f * ((scales2[sb] & 0xFF) >> 4);
            e3[i] = 2f * sc3[sb] * (q - (high == 1 ? 0 : 4));
        }
        ByteBuffer q2 = block(84).put(scales2).put(qs).putShort(HALF_HALF).putShort(HALF_QUARTER);
        assertDequantizes(GgmlType.Q2_K, q2, e2);
        byte[] scales3 = new byte[12];
        for (int k = 0; k < 16; k++) {
            int v = sc3[k] + 32;
            scales3[k % 8] |= (byte) ((v & 0xF) << (k < 8 ? 0 : 4));
            scales3[8 + k % 4] |= (byte) ((v >> 4) << (2 * (k / 4)));
        }
        ByteBuffer q3 = block(110).put(hmask).put(qs).put(scales3).putShort(HALF_TWO);
        assertDequantizes(GgmlType.Q3_K, q3, e3);
    }
}
