package dev.strata.engine.tensor;

import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The vector species every kernel uses, fixed at class initialization: {@link #F} is the preferred
 * float species (256 or 512 bits; {@code -Dstrata.vector.bits=256} caps it), and {@link #B},
 * {@link #S}, {@link #I} have the same number of lanes ({@link #LANES}) so a load of {@code LANES}
 * bytes or shorts converts to exactly one float vector. Only loaded when {@link Kernels#VECTOR}
 * is considered, never on a JVM without the incubator module.
 */
final class VectorShapes {
    static final VectorSpecies<Float> F = pickFloatSpecies();
    static final int LANES = F.length();
    static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());
    static final VectorSpecies<Byte> B = LANES >= 8
            ? VectorSpecies.of(byte.class, VectorShape.forBitSize(LANES * Byte.SIZE)) : ByteVector.SPECIES_64;
    static final VectorSpecies<Short> S = LANES >= 8
            ? VectorSpecies.of(short.class, VectorShape.forBitSize(LANES * Short.SIZE)) : ShortVector.SPECIES_128;
    static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    /** Rotations by 8, 4, 2 and 1 lanes (8 is unused with 8 lanes), constants for {@link #sum}. */
    private static final VectorShuffle<Float> ROTATE_8 = rotation(LANES == 16 ? 8 : 0);
    private static final VectorShuffle<Float> ROTATE_4 = rotation(4);
    private static final VectorShuffle<Float> ROTATE_2 = rotation(2);
    private static final VectorShuffle<Float> ROTATE_1 = rotation(1);

    /**
     * Sum of the lanes in a fixed order: the upper half is added lane-wise onto the lower half until
     * one lane remains. {@code reduceLanes(ADD)} does not promise an order, and in practice it adds
     * sequentially when interpreted and as a tree when compiled, so the same dot product could round
     * differently before and after the JIT; lane-wise adds and shuffles round the same everywhere.
     * Unrolled over constant shuffles so that C2 turns each step into one permute and one add.
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
     * {@link #sum} of the vector stored at {@code lanes[offset, offset + LANES)}, with scalar adds in
     * exactly the same tree (so bit for bit the same float), for kernels too large for C2 to inline
     * {@link #sum} into.
     */
    static float sumLanes(float[] lanes, int offset) {
        float s0 = lanes[offset];
        float s1 = lanes[offset + 1];
        float s2 = lanes[offset + 2];
        float s3 = lanes[offset + 3];
        float s4 = lanes[offset + 4];
        float s5 = lanes[offset + 5];
        float s6 = lanes[offset + 6];
        float s7 = lanes[offset + 7];
        if (LANES == 16) {
            s0 += lanes[offset + 8];
            s1 += lanes[offset + 9];
            s2 += lanes[offset + 10];
            s3 += lanes[offset + 11];
            s4 += lanes[offset + 12];
            s5 += lanes[offset + 13];
            s6 += lanes[offset + 14];
            s7 += lanes[offset + 15];
        }
        float t0 = s0 + s4;
        float t1 = s1 + s5;
        float t2 = s2 + s6;
        float t3 = s3 + s7;
        return (t0 + t2) + (t1 + t3);
    }

    private static VectorShuffle<Float> rotation(int width) {
        int[] source = new int[LANES];
        for (int lane = 0; lane < LANES; lane++) {
            source[lane] = (lane + width) % LANES;
        }
        return VectorShuffle.fromArray(F, source, 0);
    }

    private VectorShapes() {}

    /** True when the kernels' shapes exist on this machine: 8 or 16 float lanes. */
    static boolean usable() {
        return LANES == 8 || LANES == 16;
    }

    private static VectorSpecies<Float> pickFloatSpecies() {
        VectorSpecies<Float> preferred = FloatVector.SPECIES_PREFERRED;
        int maxBits = Integer.getInteger("strata.vector.bits", 512);
        if (preferred.vectorBitSize() > maxBits && maxBits >= 256) {
            return FloatVector.SPECIES_256;
        }
        return preferred;
    }
}
