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

    /**
     * The lane sums of sixteen vectors stored at {@code scratch[j * LANES]} ({@code j < 16}), each
     * bit-identical to {@link #sumLanes} of its vector, computed together: a butterfly of lane-wise
     * adds, where each level merges two vectors into one holding half of each one's partial sums
     * ({@code a[l] + a[l ^ w]} in the lanes with bit {@code w} clear, {@code b[l] + b[l ^ w]} in the
     * others), for {@code w = 8, 4, 2, 1}: the same pairs, in the same order, as {@link #sumLanes}.
     * Fifteen merges of four vector operations instead of sixteen trees of fifteen scalar adds. The
     * sums are left in {@code scratch[0, 16)}; vector {@code j}'s is at {@link #laneSumSlot}{@code (j)}.
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
            FloatVector x0 = merge(w0, w1, BIT_4, SWAP_4);
            FloatVector x1 = merge(w2, w3, BIT_4, SWAP_4);
            FloatVector x2 = merge(w4, w5, BIT_4, SWAP_4);
            FloatVector x3 = merge(w6, w7, BIT_4, SWAP_4);
            FloatVector y0 = merge(x0, x1, BIT_2, SWAP_2);
            FloatVector y1 = merge(x2, x3, BIT_2, SWAP_2);
            merge(y0, y1, BIT_1, SWAP_1).intoArray(scratch, 0);
        } else {
            // Eight lanes: two groups of eight vectors, merged at widths 4, 2, 1. Written out rather than
            // in a helper: this method must stay larger than C2's hot inlining limit (FreqInlineSize,
            // 325 bytes of bytecode), so that it is compiled on its own. Inlined into a kernel's
            // compilation, its fifteen merges hit the node budget (NodeCountInliningCutoff), a merge
            // is left as a call, and its vectors are boxed: about 1 MB allocated per forward pass
            // (ModelTest.aWarmForwardPassDoesNotAllocate).
            FloatVector a0 = merge(load(scratch, 0), load(scratch, 1), BIT_4, SWAP_4);
            FloatVector a1 = merge(load(scratch, 2), load(scratch, 3), BIT_4, SWAP_4);
            FloatVector a2 = merge(load(scratch, 4), load(scratch, 5), BIT_4, SWAP_4);
            FloatVector a3 = merge(load(scratch, 6), load(scratch, 7), BIT_4, SWAP_4);
            FloatVector b0 = merge(load(scratch, 8), load(scratch, 9), BIT_4, SWAP_4);
            FloatVector b1 = merge(load(scratch, 10), load(scratch, 11), BIT_4, SWAP_4);
            FloatVector b2 = merge(load(scratch, 12), load(scratch, 13), BIT_4, SWAP_4);
            FloatVector b3 = merge(load(scratch, 14), load(scratch, 15), BIT_4, SWAP_4);
            FloatVector low = merge(merge(a0, a1, BIT_2, SWAP_2), merge(a2, a3, BIT_2, SWAP_2), BIT_1, SWAP_1);
            FloatVector high = merge(merge(b0, b1, BIT_2, SWAP_2), merge(b2, b3, BIT_2, SWAP_2), BIT_1, SWAP_1);
            low.intoArray(scratch, 0);
            high.intoArray(scratch, 8);
        }
    }

    /**
     * Where {@link #laneSums} leaves vector {@code j}'s sum: each merge level files the vectors by one
     * bit of their index into one bit of the lane, in reverse order (with 8 lanes, two groups of 8).
     */
    static int laneSumSlot(int j) {
        if (LANES == 16) {
            return Integer.reverse(j) >>> 28;
        }
        return (j & 8) | (Integer.reverse(j & 7) >>> 29);
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
