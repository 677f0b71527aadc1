package dev.strata.engine.model;

import dev.strata.engine.tensor.FloatTensor;

/**
 * A deliberately plain reference of the forward pass for tests: one sequence, doubles, every
 * position recomputed from scratch, no KV cache, no batching, no threads. Follows llama.cpp's
 * definitions of each architecture; {@link Model} must agree with it.
 */
final class ReferenceForward {
    private ReferenceForward() {}

    /** Logits [V] after the last of {@code tokens} (at positions 0..n-1). */
    static double[] logits(ModelConfig c, ModelWeights w, int[] tokens) {
        int n = tokens.length;
        int d = c.embeddingLength();
        double[][] x = new double[n][d];
        for (int t = 0; t < n; t++) {
            for (int j = 0; j < d; j++) {
                x[t][j] = w.tokenEmbedding().getFloat((long) tokens[t] * d + j)
                        * (c.architecture().scalesEmbeddings() ? Math.sqrt(d) : 1);
            }
        }
        for (int l = 0; l < c.numLayers(); l++) {
            LayerWeights lw = w.layers().get(l);
            double[][] att = attention(c, w, lw, l, x);
            for (int t = 0; t < n; t++) {
                double[] o = matvec(lw.wo(), d, att[t]);
                if (lw.postAttnNorm() != null) {
                    o = rms(o, lw.postAttnNorm(), c.rmsNormEps());
                }
                add(x[t], o);
                double[] xn = rms(x[t], lw.ffnNorm(), c.rmsNormEps());
                double[] gate = matvec(lw.wGate(), c.feedForwardLength(), xn);
                double[] up = matvec(lw.wUp(), c.feedForwardLength(), xn);
                for (int j = 0; j < gate.length; j++) {
                    gate[j] = activation(c.architecture().activation(), gate[j]) * up[j];
                }
                double[] down = matvec(lw.wDown(), d, gate);
                if (lw.postFfnNorm() != null) {
                    down = rms(down, lw.postFfnNorm(), c.rmsNormEps());
                }
                add(x[t], down);
            }
        }
        double[] logits = matvec(w.output(), c.vocabSize(), rms(x[n - 1], w.outputNorm(), c.rmsNormEps()));
        if (c.finalLogitSoftcap() > 0) {
            for (int i = 0; i < logits.length; i++) {
                logits[i] = c.finalLogitSoftcap() * Math.tanh(logits[i] / c.finalLogitSoftcap());
            }
        }
        return logits;
    }

    private static double[][] attention(ModelConfig c, ModelWeights w, LayerWeights lw, int layer, double[][] x) {
        int n = x.length;
        int hd = c.keyLength();
        boolean sliding = c.isSlidingLayer(layer);
        RopeConfig rope = sliding ? c.slidingRope() : c.rope();
        float[] factors = sliding && !c.slidingRope().equals(c.rope()) ? null : w.ropeFreqFactors();
        double[][] q = new double[n][];
        double[][] k = new double[n][];
        double[][] v = new double[n][];
        for (int t = 0; t < n; t++) {
            double[] xn = rms(x[t], lw.attnNorm(), c.rmsNormEps());
            q[t] = plus(matvec(lw.wq(), c.queryWidth(), xn), lw.qBias());
            k[t] = plus(matvec(lw.wk(), c.keyWidth(), xn), lw.kBias());
            v[t] = plus(matvec(lw.wv(), c.valueWidth(), xn), lw.vBias());
            for (int h = 0; h < c.numHeads(); h++) {
                headNormAndRope(q[t], h * hd, hd, lw.qNorm(), c, rope, factors, t);
            }
            for (int h = 0; h < c.numKvHeads(); h++) {
                headNormAndRope(k[t], h * hd, hd, lw.kNorm(), c, rope, factors, t);
            }
        }
        int group = c.numHeads() / c.numKvHeads();
        double[][] out = new double[n][c.numHeads() * c.valueLength()];
        for (int t = 0; t < n; t++) {
            for (int h = 0; h < c.numHeads(); h++) {
                int kvh = h / group;
                double[] p = new double[t + 1];
                double max = Double.NEGATIVE_INFINITY;
                for (int s = 0; s <= t; s++) {
                    if (sliding && t - s >= c.slidingWindow()) {
                        p[s] = Double.NEGATIVE_INFINITY;
                        continue;
                    }
                    double dot = 0;
                    for (int j = 0; j < hd; j++) {
                        dot += q[t][h * hd + j] * k[s][kvh * hd + j];
                    }
                    double score = dot * c.attentionScale();
                    if (c.attnLogitSoftcap() > 0) {
                        score = c.attnLogitSoftcap() * Math.tanh(score / c.attnLogitSoftcap());
                    }
                    p[s] = score;
                    max = Math.max(max, score);
                }
                double sum = 0;
                for (int s = 0; s <= t; s++) {
                    p[s] = Math.exp(p[s] - max);
                    sum += p[s];
                }
                for (int s = 0; s <= t; s++) {
                    for (int j = 0; j < c.valueLength(); j++) {
                        out[t][h * c.valueLength() + j] += p[s] / sum * v[s][kvh * c.valueLength() + j];
                    }
                }
            }
        }
        return out;
    }

    private static void headNormAndRope(double[] x, int off, int hd, float[] norm, ModelConfig c, RopeConfig rope,
            float[] factors, int pos) {
        if (norm != null) {
            double[] head = java.util.Arrays.copyOfRange(x, off, off + hd);
            System.arraycopy(rms(head, norm, c.rmsNormEps()), 0, x, off, hd);
        }
        int dims = rope.dimensions();
        for (int i = 0; i < dims / 2; i++) {
            double theta = pos * rope.freqScale() * Math.pow(rope.freqBase(), -2.0 * i / dims)
                    / (factors == null ? 1 : factors[i]);
            int a = rope.type() == RopeType.NORM ? off + 2 * i : off + i;
            int b = rope.type() == RopeType.NORM ? a + 1 : a + dims / 2;
            double x0 = x[a];
            double x1 = x[b];
            x[a] = x0 * Math.cos(theta) - x1 * Math.sin(theta);
            x[b] = x0 * Math.sin(theta) + x1 * Math.cos(theta);
        }
    }

    private static double activation(Activation a, double x) {
        return switch (a) {
            case SILU -> x / (1 + Math.exp(-x));
            case GELU_TANH -> 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
        };
    }

    private static double[] matvec(FloatTensor w, int rows, double[] x) {
        double[] out = new double[rows];
        for (int r = 0; r < rows; r++) {
            double sum = 0;
            for (int j = 0; j < x.length; j++) {
                sum += w.getFloat((long) r * x.length + j) * x[j];
            }
            out[r] = sum;
        }
        return out;
    }

    private static double[] rms(double[] x, float[] weight, double eps) {
        double ss = 0;
        for (double v : x) {
            ss += v * v;
        }
        double inv = 1 / Math.sqrt(ss / x.length + eps);
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = x[i] * inv * weight[i];
        }
        return out;
    }

    private static double[] plus(double[] x, float[] bias) {
        if (bias != null) {
            for (int i = 0; i < x.length; i++) {
                x[i] += bias[i];
            }
        }
        return x;
    }

    private static void add(double[] x, double[] y) {
        for (int i = 0; i < x.length; i++) {
            x[i] += y[i];
        }
    }
}
