package dev.strata.engine.gguf;

import java.util.Arrays;
import java.util.Objects;

/**
 * One entry of a GGUF tensor table. {@code shape} is in ggml order (innermost dimension first:
 * a weight matrix of {@code rows} rows of {@code cols} elements has shape {@code [cols, rows]});
 * {@code offset} is relative to the start of the tensor data section.
 */
public record GgufTensorInfo(String name, GgmlType type, long[] shape, long offset, long sizeBytes) {

    public GgufTensorInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        shape = shape.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    public int numDims() {
        return shape.length;
    }

    /** Size of dimension {@code i} (innermost first); 1 beyond the tensor's rank. */
    public long dim(int i) {
        return i < shape.length ? shape[i] : 1;
    }

    public long numElements() {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GgufTensorInfo t && name.equals(t.name) && type == t.type
                && Arrays.equals(shape, t.shape) && offset == t.offset && sizeBytes == t.sizeBytes;
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, type, Arrays.hashCode(shape), offset, sizeBytes);
    }

    @Override
    public String toString() {
        return name + " " + type + " " + Arrays.toString(shape) + " @" + offset;
    }
}
