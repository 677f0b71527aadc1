package dev.strata.bench.peer;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.strata.engine.gguf.GgmlType;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * ggml's CPU dot product of one weight row with float activations, exactly as llama.cpp's
 * {@code mul_mat} computes it one row at a time: the activations go through the {@code from_float}
 * of the weight type's {@code vec_dot_type} (Q8_0, Q8_1, Q8_K, F16, BF16...), then its
 * {@code vec_dot} runs on the two rows. Both come from {@code ggml_get_type_traits_cpu}, so this is
 * the code of the bundled build (b4916, compiled for AVX2/FMA/F16C: no AVX-512 instructions).
 *
 * <p>The oracle for Strata's activation rounding plus kernels ({@code GgmlVecDotCrossCheckTest}).
 */
public final class GgmlVecDot {
    /** {@code struct ggml_type_traits_cpu}: from_float, vec_dot, vec_dot_type, nrows. */
    private static final long FROM_FLOAT = 0;
    private static final long VEC_DOT = 8;
    private static final long VEC_DOT_TYPE = 16;
    private static final long TRAITS_SIZE = 32;
    /** {@code void (*)(int n, float * s, size_t bs, const void * x, size_t bx, const void * y, size_t by, int nrc)}. */
    private static final FunctionDescriptor VEC_DOT_SIGNATURE = FunctionDescriptor.ofVoid(JAVA_INT, ADDRESS, JAVA_LONG,
            ADDRESS, JAVA_LONG, ADDRESS, JAVA_LONG, JAVA_INT);
    /** {@link #VEC_DOT_SIGNATURE} with the pointers passed as addresses (no segment per row in {@link Rows}). */
    private static final FunctionDescriptor VEC_DOT_ADDRESSES = FunctionDescriptor.ofVoid(JAVA_INT, JAVA_LONG, JAVA_LONG,
            JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_INT);
    /** {@code void (*)(const float * x, void * y, int64_t k)}. */
    private static final FunctionDescriptor FROM_FLOAT_SIGNATURE = FunctionDescriptor.ofVoid(ADDRESS, ADDRESS, JAVA_LONG);

    private final MethodHandle typeTraits;
    private final Linker linker = Linker.nativeLinker();

    private GgmlVecDot(LlamaCppLibrary lib) {
        typeTraits = lib.optionalHandle("ggml_get_type_traits_cpu", FunctionDescriptor.of(ADDRESS, JAVA_INT))
                .orElseThrow(() -> new LlamaCppException("llama.cpp library has no symbol ggml_get_type_traits_cpu"));
    }

    /** Loads llama.cpp's library (once per JVM). */
    public static GgmlVecDot load() {
        return new GgmlVecDot(LlamaCppLibrary.get());
    }

    /** The type ggml converts activations to before dotting them with {@code weightType} rows. */
    public GgmlType vecDotType(GgmlType weightType) {
        return GgmlType.fromId(traits(weightType).get(JAVA_INT, VEC_DOT_TYPE)).orElseThrow();
    }

    /**
     * {@code dot(row, x)} as ggml computes it: {@code row} holds one weight row of {@code x.length}
     * elements in {@code weightType} (whole blocks).
     */
    public float dot(GgmlType weightType, byte[] row, float[] x) {
        if (weightType.sizeBytes(x.length) != row.length) {
            throw new IllegalArgumentException(weightType + " row of " + x.length + " elements needs "
                    + weightType.sizeBytes(x.length) + " bytes, got " + row.length);
        }
        MemorySegment traits = traits(weightType);
        GgmlType activationType = GgmlType.fromId(traits.get(JAVA_INT, VEC_DOT_TYPE)).orElseThrow();
        MethodHandle vecDot = linker.downcallHandle(traits.get(ADDRESS, VEC_DOT), VEC_DOT_SIGNATURE);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment w = arena.allocate(row.length, 64);
            MemorySegment.copy(row, 0, w, JAVA_BYTE, 0, row.length);
            MemorySegment xs = arena.allocate(JAVA_FLOAT, x.length);
            MemorySegment.copy(x, 0, xs, JAVA_FLOAT, 0, x.length);
            MemorySegment y = xs;
            if (activationType != GgmlType.F32) {
                y = arena.allocate(activationType.sizeBytes(x.length), 64);
                MethodHandle fromFloat = linker.downcallHandle(traits(activationType).get(ADDRESS, FROM_FLOAT),
                        FROM_FLOAT_SIGNATURE);
                fromFloat.invokeExact(xs, y, (long) x.length);
            }
            MemorySegment result = arena.allocate(JAVA_FLOAT);
            vecDot.invokeExact(x.length, result, 0L, w, 0L, y, 0L, 1);
            return result.get(JAVA_FLOAT, 0);
        } catch (Throwable t) {
            throw LlamaCppException.wrap("vec_dot of " + weightType, t);
        }
    }

    /**
     * A matrix-vector product done the way llama.cpp's {@code mul_mat} does it with one thread, for
     * timing ggml's kernel beside Strata's: {@code rows} weight rows of {@code cols} elements in
     * {@code weightType} (row-major, whole blocks) copied into native memory once; each
     * {@link Rows#matvec} converts the activations to the vec_dot type once and then calls
     * {@code vec_dot} per row (a critical downcall: no thread-state switch per row). Close it to free
     * the native memory.
     */
    public Rows rows(GgmlType weightType, byte[] weights, int rows, int cols) {
        if (weightType.sizeBytes((long) rows * cols) != weights.length) {
            throw new IllegalArgumentException(weightType + " matrix of " + rows + " x " + cols + " needs "
                    + weightType.sizeBytes((long) rows * cols) + " bytes, got " + weights.length);
        }
        MemorySegment traits = traits(weightType);
        GgmlType activationType = GgmlType.fromId(traits.get(JAVA_INT, VEC_DOT_TYPE)).orElseThrow();
        MethodHandle vecDot = linker.downcallHandle(traits.get(ADDRESS, VEC_DOT), VEC_DOT_ADDRESSES,
                Linker.Option.critical(false));
        MethodHandle fromFloat = activationType == GgmlType.F32 ? null
                : linker.downcallHandle(traits(activationType).get(ADDRESS, FROM_FLOAT), FROM_FLOAT_SIGNATURE,
                        Linker.Option.critical(false));
        Arena arena = Arena.ofConfined();
        MemorySegment w = arena.allocate(weights.length, 64);
        MemorySegment.copy(weights, 0, w, JAVA_BYTE, 0, weights.length);
        MemorySegment xs = arena.allocate(JAVA_FLOAT, cols);
        MemorySegment y = fromFloat == null ? xs : arena.allocate(activationType.sizeBytes(cols), 64);
        return new Rows(arena, vecDot, fromFloat, w, weightType.sizeBytes(cols), xs, y, arena.allocate(JAVA_FLOAT),
                rows, cols);
    }

    /** A prepared product of {@link #rows}; not thread-safe. */
    public static final class Rows implements AutoCloseable {
        private final Arena arena;
        private final MethodHandle vecDot;
        private final MethodHandle fromFloat;
        private final MemorySegment weights;
        private final long rowBytes;
        private final MemorySegment activations;
        private final MemorySegment converted;
        private final MemorySegment result;
        private final int rows;
        private final int cols;

        private Rows(Arena arena, MethodHandle vecDot, MethodHandle fromFloat, MemorySegment weights, long rowBytes,
                     MemorySegment activations, MemorySegment converted, MemorySegment result, int rows, int cols) {
            this.arena = arena;
            this.vecDot = vecDot;
            this.fromFloat = fromFloat;
            this.weights = weights;
            this.rowBytes = rowBytes;
            this.activations = activations;
            this.converted = converted;
            this.result = result;
            this.rows = rows;
            this.cols = cols;
        }

        /** {@code out[r] = dot(row r, x)} for every row, as ggml computes it. */
        public void matvec(float[] x, float[] out) {
            MemorySegment.copy(x, 0, activations, JAVA_FLOAT, 0, cols);
            try {
                if (fromFloat != null) {
                    fromFloat.invokeExact(activations, converted, (long) cols);
                }
                long row = weights.address();
                long y = converted.address();
                long s = result.address();
                for (int r = 0; r < rows; r++, row += rowBytes) {
                    vecDot.invokeExact(cols, s, 0L, row, 0L, y, 0L, 1);
                    out[r] = result.get(JAVA_FLOAT, 0);
                }
            } catch (Throwable t) {
                throw LlamaCppException.wrap("vec_dot", t);
            }
        }

        @Override
        public void close() {
            arena.close();
        }
    }

    private MemorySegment traits(GgmlType type) {
        try {
            MemorySegment traits = (MemorySegment) typeTraits.invokeExact(type.id());
            return traits.reinterpret(TRAITS_SIZE);
        } catch (Throwable t) {
            throw LlamaCppException.wrap("ggml_get_type_traits_cpu", t);
        }
    }
}
