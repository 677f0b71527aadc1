package dev.strata.engine.model;

/**
 * Rotary position embedding of one kind of layer. Rotation pair {@code i} of a head turns by
 * {@code position * freqScale * freqBase^(-2i / dimensions) / factor[i]}, where the optional per-pair
 * factors are the {@code rope_freqs.weight} tensor (llama-3 rope scaling), held by the weights.
 *
 * @param dimensions leading elements of each head that rotate (even, at most the head size)
 * @param freqScale  1 / linear scaling factor ({@code rope.scaling.factor}); 1 when unscaled
 */
public record RopeConfig(RopeType type, int dimensions, float freqBase, float freqScale) {
    public RopeConfig {
        if (dimensions < 2 || dimensions % 2 != 0) {
            throw new IllegalArgumentException("rope dimensions must be even and >= 2, got " + dimensions);
        }
        if (!(freqBase > 0) || !(freqScale > 0)) {
            throw new IllegalArgumentException("rope freqBase and freqScale must be > 0, got " + freqBase + ", " + freqScale);
        }
    }
}
