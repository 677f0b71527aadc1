package dev.strata.engine.tensor;

import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
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
    /** Lane {@code l} takes lane {@code l ^ width}, for widths 8, 4, 2, 1 ({@link #laneSums}). */
    private static final VectorShuffle<Float> SWAP_8 = swap(LANES == 16 ? 8 : 0);
    private static final VectorShuffle<Float> SWAP_4 = swap(4);
    private static final VectorShuffle<Float> SWAP_2 = swap(2);
    private static final VectorShuffle<Float> SWAP_1 = swap(1);
    /** Lanes whose index has bit {@code width} set, for widths 8, 4, 2, 1. */
    private static final VectorMask<Float> BIT_8 = bit(LANES == 16 ? 8 : 0);
    private static final VectorMask<Float> BIT_4 = bit(4);
    private static final VectorMask<Float> BIT_2 = bit(2);
    private static final VectorMask<Float> BIT_1 = bit(1);

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
        return F32Tensor.laneTreeSum(lanes, offset, LANES);
    }

    /** Where {@link #laneSums} leaves its sixteen sums: {@code scratch[LANE_SUMS + j]} for vector {@code j}. */
    static final int LANE_SUMS = 64;

    /**
     * The lane sums of sixteen vectors stored at {@code scratch[j * LANES]} ({@code j < 16}), each
     * bit-identical to {@link #sumLanes} of its vector, computed together and left at
     * {@code scratch[LANE_SUMS + j]}. The first levels of {@link #sumLanes}'s tree run as a butterfly
     * of lane-wise adds: a merge of two vectors keeps {@code a[l] + a[l ^ w]} in the lanes with bit
     * {@code w} clear and {@code b[l] + b[l ^ w]} in the others, so after the widths 8 (with sixteen
     * lanes) and 4 every run of four lanes holds {@code t0..t3} of one vector; the last two levels,
     * {@code (t0 + t2) + (t1 + t3)}, are scalar adds. Twelve merges of four vector operations and 48
     * scalar adds instead of 240.
     *
     * <p>Two limits of C2 shape this method. Its fifteen-merge form (all levels in vectors) hit the
     * node budget of one compilation (NodeCountInliningCutoff) at the last merge, which then stayed a
     * call and boxed its vectors (about 1 MB allocated per forward pass); twelve fit. And it must stay
     * larger than the hot inlining limit (FreqInlineSize, 325 bytes of bytecode) so that it is compiled
     * on its own instead of inside a kernel whose node budget it would exhaust the same way.
     */
    static void laneSums(float[] scratch) {
        if (LANES == 16) {
            FloatVector w0 = merge(load(scratch, 0), load(scratch, 1), BIT_8, SWAP_8);
            FloatVector w1 = merge(load(scratch, 2), load(scratch, 3), BIT_8, SWAP_8);
            FloatVector w2 = merge(load(scratch, 4), load(scratch, 5), BIT_8, SWAP_8);
            FloatVector w3 = merge(load(scratch, 6), load(scratch, 7), BIT_8, SWAP_8);
            FloatVector w4 = merge(load(scratch, 8), load(scratch, 9), BIT_8, SWAP_8);
            FloatVector w5 = merge(load(scratch, 10), load(scratch, 11), BIT_8, SWAP_8);
            FloatVector w6 = merge(load(scratch, 12), load(scratch, 13), BIT_8, SWAP_8);
            FloatVector w7 = merge(load(scratch, 14), load(scratch, 15), BIT_8, SWAP_8);
            // Lanes 0-3 of x_k hold vector 4k, lanes 4-7 vector 4k + 2, 8-11 vector 4k + 1, 12-15 4k + 3.
            merge(w0, w1, BIT_4, SWAP_4).intoArray(scratch, 0);
            merge(w2, w3, BIT_4, SWAP_4).intoArray(scratch, 16);
            merge(w4, w5, BIT_4, SWAP_4).intoArray(scratch, 32);
            merge(w6, w7, BIT_4, SWAP_4).intoArray(scratch, 48);
            for (int k = 0; k < 4; k++) {
                int x = 16 * k;
                scratch[LANE_SUMS + 4 * k] = quadSum(scratch, x);
                scratch[LANE_SUMS + 4 * k + 2] = quadSum(scratch, x + 4);
                scratch[LANE_SUMS + 4 * k + 1] = quadSum(scratch, x + 8);
                scratch[LANE_SUMS + 4 * k + 3] = quadSum(scratch, x + 12);
            }
        } else {
            // Eight lanes: lanes 0-3 of x_k hold vector 2k, lanes 4-7 vector 2k + 1, in order.
            FloatVector x0 = merge(load(scratch, 0), load(scratch, 1), BIT_4, SWAP_4);
            FloatVector x1 = merge(load(scratch, 2), load(scratch, 3), BIT_4, SWAP_4);
            FloatVector x2 = merge(load(scratch, 4), load(scratch, 5), BIT_4, SWAP_4);
            FloatVector x3 = merge(load(scratch, 6), load(scratch, 7), BIT_4, SWAP_4);
            FloatVector x4 = merge(load(scratch, 8), load(scratch, 9), BIT_4, SWAP_4);
            FloatVector x5 = merge(load(scratch, 10), load(scratch, 11), BIT_4, SWAP_4);
            FloatVector x6 = merge(load(scratch, 12), load(scratch, 13), BIT_4, SWAP_4);
            FloatVector x7 = merge(load(scratch, 14), load(scratch, 15), BIT_4, SWAP_4);
            x0.intoArray(scratch, 0);
            x1.intoArray(scratch, 8);
            x2.intoArray(scratch, 16);
            x3.intoArray(scratch, 24);
            x4.intoArray(scratch, 32);
            x5.intoArray(scratch, 40);
            x6.intoArray(scratch, 48);
            x7.intoArray(scratch, 56);
            for (int j = 0; j < 16; j++) {
                scratch[LANE_SUMS + j] = quadSum(scratch, 4 * j);
            }
        }
    }

    /** {@code (t0 + t2) + (t1 + t3)} of the four floats at {@code scratch[at]}: the last levels of the tree. */
    private static float quadSum(float[] scratch, int at) {
        return (scratch[at] + scratch[at + 2]) + (scratch[at + 1] + scratch[at + 3]);
    }

    /** Small enough (20 bytes) that C2 always inlines it, so its vectors are never boxed. */
    private static FloatVector merge(FloatVector a, FloatVector b, VectorMask<Float> bit, VectorShuffle<Float> swap) {
        return a.blend(b, bit).add(b.blend(a, bit).rearrange(swap));
    }

    private static FloatVector load(float[] scratch, int vector) {
        return FloatVector.fromArray(F, scratch, vector * LANES);
    }

    private static VectorShuffle<Float> swap(int width) {
        int[] source = new int[LANES];
        for (int lane = 0; lane < LANES; lane++) {
            source[lane] = lane ^ width;
        }
        return VectorShuffle.fromArray(F, source, 0);
    }

    private static VectorMask<Float> bit(int width) {
        boolean[] set = new boolean[LANES];
        for (int lane = 0; lane < LANES; lane++) {
            set[lane] = (lane & width) != 0;
        }
        return VectorMask.fromArray(F, set, 0);
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
