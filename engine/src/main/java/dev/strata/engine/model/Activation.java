package dev.strata.engine.model;

/** The gate non-linearity of the gated feed-forward block: {@code down(act(gate(x)) * up(x))}. */
public enum Activation {
    /** {@code x * sigmoid(x)} (SwiGLU): llama, qwen. */
    SILU,
    /** GELU, tanh approximation (GeGLU): gemma. */
    GELU_TANH;

    /** Applies the activation to one value. */
    float apply(float x) {
        return switch (this) {
            case SILU -> x / (1f + (float) Math.exp(-x));
            case GELU_TANH -> {
                double c = Math.sqrt(2.0 / Math.PI);
                yield (float) (0.5 * x * (1.0 + Math.tanh(c * (x + 0.044715 * x * x * x))));
            }
        };
    }
}
