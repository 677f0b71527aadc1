package dev.strata.engine.tensor;

import dev.strata.engine.EngineException;
import dev.strata.engine.gguf.GgmlType;
import dev.strata.engine.gguf.GgufFile;
import dev.strata.engine.gguf.GgufTensorInfo;
import dev.strata.engine.gguf.GgufWriter;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Rewrites a GGUF model with its weight matrices in another type, as {@code llama-quantize --pure}
 * does: every tensor named {@code *weight} with two or more dimensions is converted to the target
 * type; 1-D tensors (norms, biases) are copied unchanged. Metadata is kept, {@code general.file_type}
 * is set to the llama.cpp file type of the target and {@code general.quantization_version} to 2.
 *
 * <p>A matrix whose row length is not a multiple of the target's block size falls back like
 * llama.cpp: Q4_K to Q5_0, Q5_K to Q5_1, Q6_K to Q8_0, Q2_K and Q3_K to Q4_0 (llama.cpp uses IQ4_NL,
 * which Strata does not implement); when no quantized type fits, the tensor keeps its source type.
 * In strict mode such a tensor is an error naming it instead.
 *
 * <p>The output is assembled in memory (off-heap, one segment per tensor) and written atomically.
 */
public final class ModelQuantizer {
    /** llama.cpp's {@code LLAMA_FTYPE_*} values written to {@code general.file_type}. */
    private static final String FILE_TYPE_KEY = "general.file_type";
    private static final String QUANTIZATION_VERSION_KEY = "general.quantization_version";

    /**
     * What to produce.
     *
     * @param target the type of weight matrices
     * @param strict refuse (instead of falling back) when a matrix does not fit the target's blocks
     * @param allowRequantize accept already-quantized source tensors (dequantized first; lossy twice)
     */
    public record Options(GgmlType target, boolean strict, boolean allowRequantize) {
        public Options {
            Objects.requireNonNull(target, "target");
            if (!canTarget(target)) {
                throw new EngineException.InvalidRequest("cannot quantize a model to " + target
                        + "; supported: F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K");
            }
        }
    }

    /** One converted tensor: its name and the source and written types. */
    public record TensorChange(String name, GgmlType from, GgmlType to, boolean fallback) {}

    /** What was written. */
    public record Report(List<TensorChange> tensors, long inputBytes, long outputBytes) {
        public Report {
            tensors = List.copyOf(tensors);
        }

        public long fallbacks() {
            return tensors.stream().filter(TensorChange::fallback).count();
        }
    }

    private final ComputePool pool;

    public ModelQuantizer(ComputePool pool) {
        this.pool = Objects.requireNonNull(pool, "pool");
    }

    /** Types a whole model can be converted to (Q8_K is an activation type, not a storage type). */
    public static boolean canTarget(GgmlType type) {
        return Quantizer.supports(type) && type != GgmlType.Q8_K;
    }

    /**
     * Reads {@code input}, converts it and writes {@code output}.
     *
     * @throws EngineException.InvalidModelFile if the input is not a readable GGUF file
     * @throws EngineException.InvalidRequest in strict mode for a tensor that does not fit, or for an
     *     already-quantized source without {@code allowRequantize}
     * @throws EngineException.Unsupported for a source tensor type Strata cannot read
     */
    public Report quantize(Path input, Path output, Options options) {
        try (GgufFile source = GgufFile.open(input); Arena arena = Arena.ofShared()) {
            GgufWriter writer = new GgufWriter()
                    .alignment(source.alignment());
            writer.putAll(source.metadata());
            writer.putUInt32(FILE_TYPE_KEY, fileType(options.target()));
            if (options.target().isQuantized()) {
                writer.putUInt32(QUANTIZATION_VERSION_KEY, 2);
            }
            List<TensorChange> changes = new ArrayList<>();
            for (GgufTensorInfo tensor : source.tensors()) {
                GgmlType to = targetFor(tensor, options);
                boolean fallback = to != options.target() && isMatrix(tensor);
                MemorySegment data = source.tensorData(tensor);
                if (to != tensor.type()) {
                    data = convert(source, tensor, to, arena);
                }
                writer.addTensor(tensor.name(), to, tensor.shape(), data);
                changes.add(new TensorChange(tensor.name(), tensor.type(), to, fallback));
            }
            long written = writer.write(output);
            return new Report(changes, source.sizeBytes(), written);
        }
    }

    private static boolean isMatrix(GgufTensorInfo tensor) {
        return tensor.numDims() >= 2 && tensor.name().endsWith("weight");
    }

    /** The type {@code tensor} is written as. */
    static GgmlType targetFor(GgufTensorInfo tensor, Options options) {
        if (!isMatrix(tensor)) {
            return tensor.type();
        }
        if (tensor.type().isQuantized() && !options.allowRequantize()) {
            throw new EngineException.InvalidRequest("tensor " + tensor.name() + " is already " + tensor.type()
                    + "; requantizing loses precision twice (allow it explicitly)");
        }
        if (!FloatTensor.supports(tensor.type())) {
            throw new EngineException.Unsupported("tensor " + tensor.name() + " has type " + tensor.type()
                    + ", which Strata cannot read");
        }
        long rowLength = tensor.dim(0);
        GgmlType target = options.target();
        if (rowLength % target.blockSize() == 0) {
            return target;
        }
        if (options.strict()) {
            throw new EngineException.InvalidRequest("tensor " + tensor.name() + " has rows of " + rowLength
                    + " elements, not a multiple of " + target + "'s block size " + target.blockSize());
        }
        GgmlType fallback = switch (target) {
            case Q2_K, Q3_K -> GgmlType.Q4_0;
            case Q4_K -> GgmlType.Q5_0;
            case Q5_K -> GgmlType.Q5_1;
            case Q6_K -> GgmlType.Q8_0;
            default -> tensor.type();
        };
        if (fallback != tensor.type() && rowLength % fallback.blockSize() == 0) {
            return fallback;
        }
        return tensor.type().isQuantized() ? GgmlType.F16 : tensor.type();
    }

    /** Converts {@code tensor} row by row over the pool into a new segment of {@code to}. */
    private MemorySegment convert(GgufFile source, GgufTensorInfo tensor, GgmlType to, Arena arena) {
        long numElements = tensor.numElements();
        int rowLength = Math.toIntExact(tensor.dim(0));
        int rows = Math.toIntExact(numElements / rowLength);
        FloatTensor from = FloatTensor.of(tensor.type(), source.tensorData(tensor), numElements);
        long rowBytes = to.sizeBytes(rowLength);
        MemorySegment out = arena.allocate(rowBytes * rows, 64);
        pool.parallelFor(rows, (first, last) -> {
            float[] row = new float[rowLength];
            for (int r = first; r < last; r++) {
                from.dequantize((long) r * rowLength, row, 0, rowLength);
                Quantizer.quantize(to, row, 0, rowLength, out, r * rowBytes);
            }
        });
        return out;
    }

    /**
     * llama.cpp's {@code llama_ftype} for a model whose matrices are all {@code type} (K-quants map
     * to their "S" mixes, the closest named file type).
     */
    static int fileType(GgmlType type) {
        return switch (type) {
            case F32 -> 0;
            case F16 -> 1;
            case Q4_0 -> 2;
            case Q4_1 -> 3;
            case Q8_0 -> 7;
            case Q5_0 -> 8;
            case Q5_1 -> 9;
            case Q2_K -> 10;
            case Q3_K -> 11;
            case Q4_K -> 14;
            case Q5_K -> 16;
            case Q6_K -> 18;
            case BF16 -> 32;
            default -> throw new IllegalArgumentException("no llama.cpp file type for " + type);
        };
    }
}
