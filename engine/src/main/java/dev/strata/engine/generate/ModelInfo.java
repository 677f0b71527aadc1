package dev.strata.engine.generate;

import java.util.Objects;

/**
 * What a client may learn about a loaded model.
 *
 * @param quantization the dominant weight type, e.g. "Q8_0" or "F32"
 */
public record ModelInfo(String name, String architecture, int contextLength, int vocabSize, String quantization,
        long parameterCount) {
    public ModelInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(architecture, "architecture");
        Objects.requireNonNull(quantization, "quantization");
        if (contextLength <= 0) {
            throw new IllegalArgumentException("contextLength must be > 0, got " + contextLength);
        }
    }
}
