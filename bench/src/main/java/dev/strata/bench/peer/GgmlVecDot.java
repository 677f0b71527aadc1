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

    private MemorySegment traits(GgmlType type) {
        try {
            MemorySegment traits = (MemorySegment) typeTraits.invokeExact(type.id());
            return traits.reinterpret(TRAITS_SIZE);
        } catch (Throwable t) {
            throw LlamaCppException.wrap("ggml_get_type_traits_cpu", t);
        }
    }
}
