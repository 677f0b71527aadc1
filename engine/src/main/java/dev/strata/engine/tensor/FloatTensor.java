package dev.strata.engine.tensor;

import dev.strata.engine.EngineException;
import dev.strata.engine.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import java.util.Collection;

/**
 * A read-only tensor of {@code size()} logical float elements stored as one {@link GgmlType}. A
 * matrix of {@code rows x cols} is stored row-major: element (r, c) is at index {@code r * cols + c},
 * and every row starts on a block boundary because {@code cols} is a multiple of the block size.
 *
 * <p>Implementations are final package-private classes, one per type, created by {@link #of}: F32,
 * F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K and Q8_K, with block layouts
 * exactly as ggml's {@code ggml-common.h} defines them. Each has a scalar reference kernel and a
 * Vector API kernel with the same signature; {@link #kernels()} says which one runs.
 */
public abstract class FloatTensor {
    private final long size;

    FloatTensor(long size) {
        this.size = size;
    }

    /**
     * Wraps {@code data} (exactly {@code type.sizeBytes(size)} bytes, e.g. a slice of a mapped
     * GGUF file) as a tensor of {@code size} elements.
     *
     * @throws EngineException.Unsupported for a type without kernels
     */
    public static FloatTensor of(GgmlType type, MemorySegment data, long size) {
        long expected = type.sizeBytes(size);
        if (expected < 0 || expected != data.byteSize()) {
            throw new EngineException.InvalidModelFile("tensor of " + size + " " + type + " elements needs "
                    + expected + " bytes, got " + data.byteSize());
        }
        return switch (type) {
            case F32 -> new F32Tensor(data, size);
            case F16 -> new F16Tensor(data, size);
            case BF16 -> new BF16Tensor(data, size);
            case Q8_0 -> new Q8_0Tensor(data, size);
            case Q4_0 -> new Q4_0Tensor(data, size);
            case Q4_1 -> new Q4_1Tensor(data, size);
            case Q5_0 -> new Q5_0Tensor(data, size);
            case Q5_1 -> new Q5_1Tensor(data, size);
            case Q2_K -> new Q2_KTensor(data, size);
            case Q3_K -> new Q3_KTensor(data, size);
            case Q4_K -> new Q4_KTensor(data, size);
            case Q5_K -> new Q5_KTensor(data, size);
            case Q6_K -> new Q6_KTensor(data, size);
            case Q8_K -> new Q8_KTensor(data, size);
            default -> throw new EngineException.Unsupported("tensor type " + type + " is not supported");
        };
    }

    /** Types {@link #of} can wrap. */
    public static boolean supports(GgmlType type) {
        return switch (type) {
            case F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, Q8_K -> true;
            default -> false;
        };
    }

    /**
     * The kernels in use, fixed for the JVM: {@code "vector (N x float)"} or {@code "scalar"}
     * ({@code -Dstrata.kernels=scalar} forces scalar; it is also the fallback without the
     * {@code jdk.incubator.vector} module).
     */
    public static String kernels() {
        return Kernels.describe();
    }

    /**
     * Runs the dot and dequantize kernels of {@code types} on a few blocks until the JIT has
     * compiled them, so that a model's first forward pass does not run Vector API code in the
     * interpreter (which allocates every vector and is ~100x slower). Call once when loading a model;
     * it takes well under a second per type on an idle core.
     */
    public static void warmUp(Collection<GgmlType> types) {
        final int iterations = 12_000;
        for (GgmlType type : types) {
            if (!supports(type)) {
                continue;
            }
            int n = Math.max(type.blockSize(), 32) * 2;
            float[] x = new float[n];
            for (int i = 0; i < n; i++) {
                x[i] = (float) Math.sin(i);
            }
            FloatTensor tensor = of(type, MemorySegment.ofArray(Quantizer.quantize(type, x)), n);
            float[] out = new float[n];
            float sink = 0;
            boolean viaFloats = tensor.decodesByDequantizing();
            for (int i = 0; i < iterations; i++) {
                if (viaFloats) { // what MatMul runs for this type: dequantize, then the float dot
                    tensor.dequantize(0, out, 0, n);
                    sink += F32Tensor.dot(out, 0, x, 0, n);
                } else {
                    sink += tensor.dot(0, x, 0, n);
                    if ((i & 1) == 0) {
                        tensor.dequantize(0, out, 0, n);
                    }
                }
            }
            if (Float.isNaN(sink + out[0])) {
                throw new IllegalStateException("warm-up of " + type + " produced NaN");
            }
        }
        warmUpTileKernel(iterations);
    }

    /** The float kernels every type's batched products share ({@link F32Tensor#dot4x4}, {@link F32Tensor#dot4}). */
    private static void warmUpTileKernel(int iterations) {
        int n = 64;
        float[] x = new float[4 * n];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) Math.cos(i);
        }
        float[] rows = x.clone();
        float[] out = new float[16];
        float[] scratch = new float[F32Tensor.DOT4X4_SCRATCH];
        for (int i = 0; i < iterations / 2; i++) {
            F32Tensor.dot4x4(rows, 0, x, 0, n, out, 0, 4, scratch);
            F32Tensor.dot4(rows, 0, x, 0, n, out, 0, 1, scratch);
        }
        if (Float.isNaN(out[0] + out[15])) {
            throw new IllegalStateException("warm-up of the tile kernel produced NaN");
        }
    }

    public abstract GgmlType type();

    /** Number of logical elements. */
    public final long size() {
        return size;
    }

    /** Element {@code index}, dequantized. Slow; for tests and one-off reads. */
    public abstract float getFloat(long index);

    /**
     * Dot product of elements {@code [offset, offset + length)} with {@code x[xOffset, xOffset + length)}.
     * For quantized types {@code offset} and {@code length} are multiples of the block size.
     */
    public abstract float dot(long offset, float[] x, int xOffset, int length);

    /**
     * {@code sum over blocks b of m_b * corrections[correctionOffset + b]} for the blocks of elements
     * {@code [offset, offset + length)}, where {@code m_b} is the block's minimum: what a matmul adds
     * to {@link #dot} so that the minimum term uses ggml's fp16-rounded Q8_1 block sums
     * ({@link ActivationQuantizer#roundQ8_1}). 0 for types without a per-block minimum; overridden by
     * Q4_1 and Q5_1. {@code offset} and {@code length} are multiples of the block size.
     */
    float blockSumCorrection(long offset, float[] corrections, int correctionOffset, int length) {
        return 0f;
    }

    /**
     * True when a one-token product is faster as "dequantize the row into a float buffer, then a float
     * dot" than through {@link #dot}: for F16, whose dequantization C2 vectorizes into one conversion
     * instruction per sixteen halves, which the Vector API cannot express.
     */
    boolean decodesByDequantizing() {
        return false;
    }

    /** Dequantizes elements {@code [offset, offset + length)} into {@code out[outOffset ...]}. */
    public void dequantize(long offset, float[] out, int outOffset, int length) {
        for (int i = 0; i < length; i++) {
            out[outOffset + i] = getFloat(offset + i);
        }
    }

    /**
     * Number of elements from {@code offset} to the next multiple of {@code blockSize} (0 when
     * already on a boundary), at most {@code length}: the scalar head before whole blocks.
     */
    static int headLength(long offset, int length, int blockSize) {
        int misalignment = (int) (offset % blockSize);
        return misalignment == 0 ? 0 : Math.min(length, blockSize - misalignment);
    }
}
