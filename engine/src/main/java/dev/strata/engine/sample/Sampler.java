package dev.strata.engine.sample;

import dev.strata.engine.EngineException;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Picks each next token of one sequence from the model's logits, following {@link SamplingParams}.
 * The pipeline, in llama.cpp's order:
 *
 * <ol>
 *   <li>logit bias is added (these are the logits logprobs are reported from, as OpenAI does);</li>
 *   <li>repetition, frequency and presence penalties over the last {@code penaltyWindow} tokens
 *       ({@link #accept}ed prompt and output tokens): {@code l > 0 ? l / r : l * r}, then
 *       {@code l -= count * frequency + (count > 0 ? presence : 0)};</li>
 *   <li>temperature 0: the arg max; otherwise top-k, typical-p (Meister et al., "Locally Typical
 *       Sampling", arXiv:2202.00666), top-p (nucleus), min-p (relative to the best token), then
 *       temperature, softmax and a draw from a {@link SplittableRandom} seeded by {@code seed}.</li>
 * </ol>
 *
 * <p>Stateful (history, random generator) and not thread-safe: one sampler per sequence, used by the
 * thread that steps it. Scratch arrays are vocabulary-sized and allocated once.
 */
public final class Sampler {
    private final SamplingParams params;
    private final int vocabSize;
    private final int[] biasIds;
    private final float[] biasValues;
    private final SplittableRandom random;
    /** Ring buffer of the last {@code penaltyWindow} accepted tokens. */
    private final int[] history;
    private int historyCount;
    private int historyNext;
    /** [V] logits after bias (logprobs come from here), then the working copy after penalties. */
    private final float[] biased;
    private final float[] work;
    private final int[] counts;
    /** Candidates, best first: ids and their (penalized) logits; and sort keys. */
    private final int[] candidateIds;
    private final float[] candidateLogits;
    private final long[] keys;
    /** [V] typical-p selection mask; null unless typical-p is on. */
    private final boolean[] keep;
    private int numCandidates;
    private float logSumExp = Float.NaN;

    public Sampler(SamplingParams params, int vocabSize) {
        this.params = params;
        this.vocabSize = vocabSize;
        this.biasIds = new int[params.logitBias().size()];
        this.biasValues = new float[biasIds.length];
        int i = 0;
        for (Map.Entry<Integer, Float> e : params.logitBias().entrySet()) {
            if (e.getKey() < 0 || e.getKey() >= vocabSize) {
                throw new EngineException.InvalidRequest("logit_bias token id " + e.getKey()
                        + " is outside the vocabulary [0, " + vocabSize + ")");
            }
            biasIds[i] = e.getKey();
            biasValues[i++] = e.getValue();
        }
        long seed = params.seed() != null ? params.seed() : ThreadLocalRandom.current().nextLong();
        this.random = new SplittableRandom(seed);
        this.history = new int[params.penaltyWindow()];
        this.biased = new float[vocabSize];
        this.work = new float[vocabSize];
        this.counts = penaltiesActive() ? new int[vocabSize] : null;
        boolean greedy = params.isGreedy();
        this.candidateIds = greedy ? null : new int[vocabSize];
        this.candidateLogits = greedy ? null : new float[vocabSize];
        this.keys = greedy ? null : new long[vocabSize];
        this.keep = greedy || params.typicalP() == 1f ? null : new boolean[vocabSize];
    }

    private boolean penaltiesActive() {
        return params.penaltyWindow() > 0 && (params.repetitionPenalty() != 1f || params.frequencyPenalty() != 0f
                || params.presencePenalty() != 0f);
    }

    /** Records {@code token} (a prompt token or the one just generated) for the penalties. */
    public void accept(int token) {
        if (history.length == 0) {
            return;
        }
        history[historyNext] = token;
        historyNext = (historyNext + 1) % history.length;
        historyCount = Math.min(historyCount + 1, history.length);
    }

    /** Picks the next token from {@code logits[offset, offset + vocabSize)} (not modified). */
    public int sample(float[] logits, int offset) {
        System.arraycopy(logits, offset, biased, 0, vocabSize);
        for (int i = 0; i < biasIds.length; i++) {
            biased[biasIds[i]] += biasValues[i];
        }
        logSumExp = Float.NaN;
        System.arraycopy(biased, 0, work, 0, vocabSize);
        if (counts != null) {
            applyPenalties();
        }
        if (params.isGreedy()) {
            return argmax(work);
        }
        // top-k, typical-p and top-p need the candidates in order; min-p and the draw do not
        collectCandidates(params.topK(), params.typicalP() < 1f || params.topP() < 1f);
        if (params.typicalP() < 1f) {
            keepTypical(params.typicalP());
        }
        if (params.topP() < 1f) {
            keepTopP(params.topP());
        }
        if (params.minP() > 0f) {
            keepMinP(params.minP());
        }
        return draw(params.temperature());
    }

    /** Log-probability of {@code token} under the biased logits of the last {@link #sample} call. */
    public float logprob(int token) {
        if (Float.isNaN(logSumExp)) {
            logSumExp = logSumExp(biased, vocabSize);
        }
        return biased[token] - logSumExp;
    }

    /**
     * The {@code n} most likely tokens of the last {@link #sample} call (biased logits), best first,
     * into {@code ids} and {@code logprobs}; returns how many were written ({@code min(n, V)}).
     */
    public int topLogprobs(int n, int[] ids, float[] logprobs) {
        int k = Math.min(n, vocabSize);
        if (k <= 0) {
            return 0;
        }
        int filled = 0;
        for (int t = 0; t < vocabSize; t++) {
            float v = biased[t];
            if (filled == k && !(v > biased[ids[k - 1]])) {
                continue;
            }
            int j = filled < k ? filled++ : k - 1;
            while (j > 0 && v > biased[ids[j - 1]]) {
                ids[j] = ids[j - 1];
                j--;
            }
            ids[j] = t;
        }
        for (int i = 0; i < filled; i++) {
            logprobs[i] = logprob(ids[i]);
        }
        return filled;
    }

    private void applyPenalties() {
        for (int i = 0; i < historyCount; i++) {
            counts[history[i]]++;
        }
        float rep = params.repetitionPenalty();
        float freq = params.frequencyPenalty();
        float presence = params.presencePenalty();
        for (int i = 0; i < historyCount; i++) {
            int t = history[i];
            int c = counts[t];
            if (c == 0) {
                continue; // already penalized (duplicate in history)
            }
            float l = work[t];
            l = l > 0 ? l / rep : l * rep;
            work[t] = l - c * freq - presence;
            counts[t] = 0;
        }
    }

    /**
     * Candidates = the {@code limit} best tokens with a finite logit (all when {@code limit <= 0}),
     * sorted by logit descending, ties by lower id, when there is a limit or {@code sorted}; else in
     * id order. With a limit the best are selected with a bounded heap (O(V log k)) before sorting,
     * so top-k over a large vocabulary does not sort it all.
     */
    private void collectCandidates(int limit, boolean sorted) {
        int n = 0;
        boolean bounded = limit > 0 && limit < vocabSize;
        for (int t = 0; t < vocabSize; t++) {
            float l = work[t];
            if (l == Float.NEGATIVE_INFINITY || Float.isNaN(l)) {
                continue;
            }
            long key = ((long) ~sortableBits(l) << 32) | t; // ascending key = descending logit
            if (!bounded || n < limit) {
                keys[n++] = key;
                if (bounded) {
                    siftUp(n - 1);
                }
            } else if (key < keys[0]) {
                keys[0] = key; // replace the worst of the best `limit`
                siftDown(n);
            }
        }
        if (n == 0) {
            throw new EngineException.InvalidRequest("logit_bias leaves no token to sample");
        }
        if (bounded || sorted) {
            Arrays.sort(keys, 0, n);
        }
        for (int i = 0; i < n; i++) {
            int t = (int) keys[i];
            candidateIds[i] = t;
            candidateLogits[i] = work[t];
        }
        numCandidates = n;
    }

    /** Max-heap on {@code keys[0, size)}: the root is the worst kept candidate. */
    private void siftUp(int i) {
        long key = keys[i];
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (keys[parent] >= key) {
                break;
            }
            keys[i] = keys[parent];
            i = parent;
        }
        keys[i] = key;
    }

    private void siftDown(int size) {
        long key = keys[0];
        int i = 0;
        while (true) {
            int child = 2 * i + 1;
            if (child >= size) {
                break;
            }
            if (child + 1 < size && keys[child + 1] > keys[child]) {
                child++;
            }
            if (keys[child] <= key) {
                break;
            }
            keys[i] = keys[child];
            i = child;
        }
        keys[i] = key;
    }

    /** An int whose signed order is the order of the floats. */
    private static int sortableBits(float f) {
        int bits = Float.floatToIntBits(f);
        return bits ^ ((bits >> 31) & 0x7fffffff);
    }

    /** Fills {@code work[0, numCandidates)} with the softmax of the candidates' logits / temperature. */
    private void softmaxCandidates(float temperature) {
        float max = maxCandidateLogit() / temperature;
        double sum = 0;
        for (int i = 0; i < numCandidates; i++) {
            float p = (float) Math.exp(candidateLogits[i] / temperature - max);
            work[i] = p;
            sum += p;
        }
        float inv = (float) (1.0 / sum);
        for (int i = 0; i < numCandidates; i++) {
            work[i] *= inv;
        }
    }

    private void keepTopP(float topP) {
        softmaxCandidates(1f);
        double cumulative = 0;
        for (int i = 0; i < numCandidates; i++) {
            cumulative += work[i];
            if (cumulative >= topP) {
                numCandidates = i + 1;
                return;
            }
        }
    }

    /** Keeps the candidates whose probability is at least {@code minP} times the best one's (order kept). */
    private void keepMinP(float minP) {
        float threshold = maxCandidateLogit() + (float) Math.log(minP);
        int kept = 0;
        for (int i = 0; i < numCandidates; i++) {
            if (candidateLogits[i] >= threshold) {
                candidateIds[kept] = candidateIds[i];
                candidateLogits[kept++] = candidateLogits[i];
            }
        }
        numCandidates = kept;
    }

    private float maxCandidateLogit() {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < numCandidates; i++) {
            max = Math.max(max, candidateLogits[i]);
        }
        return max;
    }

    /** Keeps the tokens whose surprisal is closest to the entropy, up to {@code typicalP} of the mass. */
    private void keepTypical(float typicalP) {
        softmaxCandidates(1f);
        double entropy = 0;
        for (int i = 0; i < numCandidates; i++) {
            if (work[i] > 0) {
                entropy -= work[i] * Math.log(work[i]);
            }
        }
        for (int i = 0; i < numCandidates; i++) {
            float shift = (float) Math.abs(-Math.log(work[i]) - entropy);
            keys[i] = ((long) sortableBits(shift) << 32) | i;
        }
        Arrays.sort(keys, 0, numCandidates);
        double cumulative = 0;
        int kept = 0;
        Arrays.fill(keep, 0, numCandidates, false);
        while (kept < numCandidates && cumulative < typicalP) {
            int i = (int) keys[kept++];
            keep[i] = true;
            cumulative += work[i];
        }
        int n = 0;
        for (int i = 0; i < numCandidates; i++) {
            if (keep[i]) {
                candidateIds[n] = candidateIds[i];
                candidateLogits[n++] = candidateLogits[i];
            }
        }
        numCandidates = n;
    }

    private int draw(float temperature) {
        softmaxCandidates(temperature);
        double u = random.nextDouble();
        double cumulative = 0;
        for (int i = 0; i < numCandidates; i++) {
            cumulative += work[i];
            if (u < cumulative) {
                return candidateIds[i];
            }
        }
        return candidateIds[numCandidates - 1];
    }

    private static int argmax(float[] x) {
        int best = 0;
        for (int i = 1; i < x.length; i++) {
            if (x[i] > x[best]) {
                best = i;
            }
        }
        return best;
    }

    private static float logSumExp(float[] x, int n) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, x[i]);
        }
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += Math.exp(x[i] - max);
        }
        return (float) (max + Math.log(sum));
    }
}
