package dev.strata.bench.peer;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.strata.engine.gguf.GgmlType;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * ggml's own quantizer and dequantizer ({@code ggml_quantize_chunk}, {@code dequantize_row_*}) from
 * the llama.cpp library of {@code de.kherud:llama}: the reference that Strata's quantized files and
 * kernels are checked against, and the quantizer of the model generator. No importance matrix:
 * exactly what {@code llama-quantize} does without {@code --imatrix}.
 */
public final class GgmlQuantizer {
    private final LlamaCppLibrary lib;
    private final Map<GgmlType, MethodHandle> dequantizers = new EnumMap<>(GgmlType.class);

    private GgmlQuantizer(LlamaCppLibrary lib) {
        this.lib = lib;
    }

    /** Loads llama.cpp's library (once per JVM) and returns a quantizer over it. */
    public static GgmlQuantizer load() {
        return new GgmlQuantizer(LlamaCppLibrary.get());
    }

    /** True for the types this quantizer writes: F16, BF16 and the block types that need no importance matrix. */
    public boolean supports(GgmlType type) {
        if (type == GgmlType.F32 || type == GgmlType.F16 || type == GgmlType.BF16) {
            return true;
        }
        if (!type.isQuantized() || type == GgmlType.Q8_1 || type == GgmlType.Q8_K) {
            return false;
        }
        try {
            return !(boolean) lib.quantizeRequiresImatrix.invokeExact(type.id());
        } catch (Throwable t) {
            throw LlamaCppException.wrap("ggml_quantize_requires_imatrix", t);
        }
    }

    /**
     * Quantizes {@code values} (whole rows of {@code rowLength}) to {@code type}; returns exactly
     * {@code type.sizeBytes(values.length)} bytes.
     */
    public byte[] quantize(GgmlType type, float[] values, int rowLength) {
        if (rowLength < 1 || values.length % rowLength != 0 || rowLength % type.blockSize() != 0) {
            throw new IllegalArgumentException(type + ": " + values.length + " values do not make rows of "
                    + rowLength + " in blocks of " + type.blockSize());
        }
        if (!supports(type)) {
            throw new IllegalArgumentException("ggml cannot quantize to " + type + " without an importance matrix");
        }
        long size = type.sizeBytes(values.length);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment src = arena.allocate(JAVA_FLOAT, values.length);
            MemorySegment.copy(values, 0, src, JAVA_FLOAT, 0, values.length);
            MemorySegment dst = arena.allocate(size, 64);
            lib.quantizeInit.invokeExact(type.id());
            long written = (long) lib.quantizeChunk.invokeExact(type.id(), src, dst, 0L,
                    (long) (values.length / rowLength), (long) rowLength, MemorySegment.NULL);
            if (written != size) {
                throw new LlamaCppException("ggml_quantize_chunk wrote " + written + " bytes, expected " + size);
            }
            return dst.toArray(JAVA_BYTE);
        } catch (Throwable t) {
            throw LlamaCppException.wrap("ggml_quantize_chunk", t);
        }
    }

    /** Dequantizes {@code numElements} values of {@code type} from {@code data} with ggml's reference routine. */
    public float[] dequantize(GgmlType type, MemorySegment data, long numElements) {
        long size = type.sizeBytes(numElements);
        if (size < 0 || data.byteSize() < size || numElements > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(type + ": cannot dequantize " + numElements + " values from "
                    + data.byteSize() + " bytes");
        }
        if (type == GgmlType.F32) {
            return data.asSlice(0, size).toArray(JAVA_FLOAT);
        }
        MethodHandle handle = dequantizer(type).orElseThrow(
                () -> new IllegalArgumentException("ggml has no exported dequantizer for " + type));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment src = arena.allocate(size, 64);
            MemorySegment.copy(data, 0, src, 0, size);
            MemorySegment dst = arena.allocate(JAVA_FLOAT, numElements);
            handle.invokeExact(src, dst, numElements);
            return dst.toArray(JAVA_FLOAT);
        } catch (Throwable t) {
            throw LlamaCppException.wrap("dequantize " + type, t);
        }
    }

    private synchronized Optional<MethodHandle> dequantizer(GgmlType type) {
        MethodHandle cached = dequantizers.get(type);
        if (cached != null) {
            return Optional.of(cached);
        }
        String name = switch (type) {
            case F16 -> "ggml_fp16_to_fp32_row";
            case BF16 -> "ggml_bf16_to_fp32_row";
            default -> "dequantize_row_" + type.name().toLowerCase(Locale.ROOT).replace("_k", "_K");
        };
        Optional<MethodHandle> handle = lib.optionalHandle(name, FunctionDescriptor.ofVoid(ADDRESS, ADDRESS, JAVA_LONG));
        handle.ifPresent(h -> dequantizers.put(type, h));
        return handle;
    }
}
