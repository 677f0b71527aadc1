package dev.strata.engine.kv;

import java.util.Locale;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Whether the K/V row kernels use the Vector API, decided once per JVM by the same rule as the
 * weight kernels ({@code dev.strata.engine.tensor.Kernels}, which is package-private there): the
 * {@code jdk.incubator.vector} module is present, {@code -Dstrata.kernels=scalar} is not set, and the
 * preferred float vector has 8 or 16 lanes. The species live in {@link Shapes}, only loaded when
 * vectors are used, so a JVM without the module still runs the scalar paths.
 */
final class KvVectors {
    static final boolean VECTOR = select();

    private KvVectors() {}

    private static boolean select() {
        if (System.getProperty("strata.kernels", "auto").strip().toLowerCase(Locale.ROOT).equals("scalar")
                || ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            return false;
        }
        try {
            return Shapes.LANES == 8 || Shapes.LANES == 16;
        } catch (LinkageError e) {
            return false;
        }
    }

    /** Species of equal lane counts: LANES floats, ints, shorts (F16) and bytes (Q8_0). */
    static final class Shapes {
        static final VectorSpecies<Float> F = pick();
        static final int LANES = F.length();
        static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());
        static final VectorSpecies<Short> S = LANES >= 8
                ? VectorSpecies.of(short.class, VectorShape.forBitSize(LANES * Short.SIZE)) : ShortVector.SPECIES_128;
        static final VectorSpecies<Byte> B = LANES >= 8
                ? VectorSpecies.of(byte.class, VectorShape.forBitSize(LANES * Byte.SIZE)) : ByteVector.SPECIES_64;
        private static final float HALF_EXPONENT_REBIAS = 0x1p112f;
        private static final VectorShuffle<Float> ROTATE_8 = rotation(LANES == 16 ? 8 : 0);
        private static final VectorShuffle<Float> ROTATE_4 = rotation(4);
        private static final VectorShuffle<Float> ROTATE_2 = rotation(2);
        private static final VectorShuffle<Float> ROTATE_1 = rotation(1);

        private Shapes() {}

        private static VectorSpecies<Float> pick() {
            VectorSpecies<Float> preferred = FloatVector.SPECIES_PREFERRED;
            int maxBits = Integer.getInteger("strata.vector.bits", 512);
            return preferred.vectorBitSize() > maxBits && maxBits >= 256 ? FloatVector.SPECIES_256 : preferred;
        }

        /**
         * Lane sum in a fixed order (halves added lane-wise), so a dot product rounds the same
         * interpreted and compiled; {@code reduceLanes} promises no order.
         */
        static float sum(FloatVector v) {
            if (LANES == 16) {
                v = v.add(v.rearrange(ROTATE_8));
            }
            v = v.add(v.rearrange(ROTATE_4));
            v = v.add(v.rearrange(ROTATE_2));
            v = v.add(v.rearrange(ROTATE_1));
            return v.lane(0);
        }

        /**
         * LANES fp16 values from {@code halves[offset]} as floats: the 15 magnitude bits moved into
         * float position and multiplied by 2^112 are exact for normal and subnormal halves;
         * infinities and NaNs get the all-ones exponent.
         */
        static FloatVector widenHalves(short[] halves, int offset) {
            IntVector h = (IntVector) ShortVector.fromArray(S, halves, offset).convertShape(VectorOperators.S2I, I, 0);
            IntVector magnitude = h.and(0x7FFF).lanewise(VectorOperators.LSHL, 13);
            IntVector sign = h.and(0x8000).lanewise(VectorOperators.LSHL, 16);
            IntVector bits = magnitude.reinterpretAsFloats().mul(HALF_EXPONENT_REBIAS).reinterpretAsInts();
            VectorMask<Integer> special = h.and(0x7C00).compare(VectorOperators.EQ, 0x7C00);
            bits = bits.blend(magnitude.or(0x7F80_0000), special);
            return bits.or(sign).reinterpretAsFloats();
        }

        /** LANES signed bytes from {@code bytes[offset]} as floats. */
        static FloatVector widenBytes(byte[] bytes, int offset) {
            return (FloatVector) ByteVector.fromArray(B, bytes, offset).convertShape(VectorOperators.B2F, F, 0);
        }

        private static VectorShuffle<Float> rotation(int width) {
            int[] source = new int[LANES];
            for (int lane = 0; lane < LANES; lane++) {
                source[lane] = (lane + width) % LANES;
            }
            return VectorShuffle.fromArray(F, source, 0);
        }
    }
}
