package dev.strata.engine.model;

/**
 * Rotary position embedding (Su et al., "RoFormer", arXiv:2104.09864) for one {@link RopeConfig}.
 * The inverse frequencies are fixed at load; per step the caller computes the angles of each
 * token once ({@link #angles}) and rotates every head of that token with them ({@link #rotate}).
 */
final class Rope {
    private final RopeType type;
    private final int dimensions;
    /** [dimensions / 2]: radians per position of each rotation pair. */
    private final double[] inverseFrequency;

    Rope(RopeConfig config, float[] freqFactors) {
        this.type = config.type();
        this.dimensions = config.dimensions();
        int pairs = dimensions / 2;
        this.inverseFrequency = new double[pairs];
        for (int i = 0; i < pairs; i++) {
            double f = config.freqScale() * Math.pow(config.freqBase(), -2.0 * i / dimensions);
            inverseFrequency[i] = freqFactors == null ? f : f / freqFactors[i];
        }
    }

    /** Rotation pairs per head. */
    int pairs() {
        return dimensions / 2;
    }

    /** Writes cos and sin of each pair's angle at {@code position} to {@code cos/sin[offset, offset + pairs)}. */
    void angles(int position, float[] cos, float[] sin, int offset) {
        for (int i = 0; i < inverseFrequency.length; i++) {
            double theta = position * inverseFrequency[i];
            cos[offset + i] = (float) Math.cos(theta);
            sin[offset + i] = (float) Math.sin(theta);
        }
    }

    /** Rotates the head at {@code x[head, head + headSize)} by the angles at {@code cos/sin[cs, cs + pairs)}. */
    void rotate(float[] x, int head, float[] cos, float[] sin, int cs) {
        int pairs = inverseFrequency.length;
        for (int i = 0; i < pairs; i++) {
            // NORM rotates (2i, 2i+1); NEOX rotates (i, i + dimensions/2).
            int a = type == RopeType.NORM ? head + 2 * i : head + i;
            int b = type == RopeType.NORM ? a + 1 : a + pairs;
            float c = cos[cs + i];
            float s = sin[cs + i];
            float x0 = x[a];
            float x1 = x[b];
            x[a] = x0 * c - x1 * s;
            x[b] = x0 * s + x1 * c;
        }
    }
}
