package dev.strata.engine.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.strata.engine.EngineException;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class SamplerTest {
    private static final int V = 64;

    /** Logits whose softmax is exactly {@code probs} (then the rest of the vocabulary at probability 0). */
    private static float[] logitsOf(double... probs) {
        float[] logits = new float[V];
        java.util.Arrays.fill(logits, Float.NEGATIVE_INFINITY);
        for (int i = 0; i < probs.length; i++) {
            logits[i] = (float) Math.log(probs[i]);
        }
        return logits;
    }

    private static float[] randomLogits(long seed) {
        Random r = new Random(seed);
        float[] logits = new float[V];
        for (int i = 0; i < V; i++) {
            logits[i] = (float) r.nextGaussian() * 3;
        }
        return logits;
    }

    private static Set<Integer> support(SamplingParams params, float[] logits, int draws) {
        Sampler s = new Sampler(params, V);
        Set<Integer> seen = new TreeSet<>();
        for (int i = 0; i < draws; i++) {
            seen.add(s.sample(logits, 0));
        }
        return seen;
    }

    @Test
    void sameSeedSameTokensDifferentSeedDifferentTokens() {
        float[] logits = randomLogits(1);
        SamplingParams p = SamplingParams.builder().temperature(1.5f).seed(42L).build();
        Sampler a = new Sampler(p, V);
        Sampler b = new Sampler(p, V);
        Sampler c = new Sampler(p.toBuilder().seed(43L).build(), V);
        int[] ta = new int[100];
        int[] tb = new int[100];
        int[] tc = new int[100];
        for (int i = 0; i < 100; i++) {
            ta[i] = a.sample(logits, 0);
            tb[i] = b.sample(logits, 0);
            tc[i] = c.sample(logits, 0);
        }
        assertThat(ta).containsExactly(tb);
        assertThat(ta).isNotEqualTo(tc);
    }

    @Test
    void temperatureZeroIsArgmax() {
        float[] logits = randomLogits(2);
        int best = 0;
        for (int i = 1; i < V; i++) {
            best = logits[i] > logits[best] ? i : best;
        }
        assertThat(support(SamplingParams.GREEDY, logits, 20)).containsExactly(best);
    }

    @Test
    void topKKeepsTheKBestTokens() {
        float[] logits = logitsOf(0.3, 0.25, 0.2, 0.15, 0.1);
        assertThat(support(SamplingParams.builder().topK(3).seed(1L).build(), logits, 2000)).containsExactly(0, 1, 2);
        assertThat(support(SamplingParams.builder().seed(1L).build(), logits, 2000)).containsExactly(0, 1, 2, 3, 4);
    }

    @Test
    void topKOverManyTokensKeepsExactlyTheKBest() {
        float[] logits = randomLogits(8);
        Integer[] order = new Integer[V];
        for (int i = 0; i < V; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (a, b) -> Float.compare(logits[b], logits[a]));
        Set<Integer> best = new TreeSet<>(java.util.Arrays.asList(order).subList(0, 5));
        // temperature 5 flattens the distribution so every kept token shows up
        assertThat(support(SamplingParams.builder().topK(5).temperature(5).seed(2L).build(), logits, 3000))
                .isEqualTo(best);
    }

    @Test
    void topPKeepsTheSmallestPrefixReachingP() {
        float[] logits = logitsOf(0.5, 0.3, 0.15, 0.05);
        assertThat(support(SamplingParams.builder().topP(0.75f).seed(1L).build(), logits, 2000)).containsExactly(0, 1);
        assertThat(support(SamplingParams.builder().topP(0.4f).seed(1L).build(), logits, 200)).containsExactly(0);
    }

    @Test
    void minPDropsTokensBelowAFractionOfTheBest() {
        float[] logits = logitsOf(0.5, 0.3, 0.15, 0.05);
        assertThat(support(SamplingParams.builder().minP(0.2f).seed(1L).build(), logits, 2000)).containsExactly(0, 1, 2);
        assertThat(support(SamplingParams.builder().minP(0.7f).seed(1L).build(), logits, 200)).containsExactly(0);
    }

    @Test
    void typicalPKeepsTokensNearTheEntropy() {
        // Entropy of (0.4, 0.4, 0.1, 0.1) is 1.19 nats; surprisals are 0.92 and 2.30, so the two 0.4
        // tokens are the most typical and reach 0.8 of the mass.
        float[] logits = logitsOf(0.4, 0.4, 0.1, 0.1);
        assertThat(support(SamplingParams.builder().typicalP(0.7f).seed(1L).build(), logits, 2000)).containsExactly(0, 1);
    }

    @Test
    void repetitionPenaltyDividesPositiveAndMultipliesNegativeLogits() {
        SamplingParams rep = SamplingParams.builder().temperature(0).repetitionPenalty(1.1f).build();
        assertThat(greedyAfter(rep, new float[] {2.0f, 1.9f}, 0)).isEqualTo(1);       // 2 / 1.1 = 1.82 < 1.9
        assertThat(greedyAfter(rep, new float[] {2.0f, 1.7f}, 0)).isEqualTo(0);       // 1.82 > 1.7
        assertThat(greedyAfter(rep, new float[] {-1.0f, -1.05f}, 0)).isEqualTo(1);    // -1 * 1.1 = -1.1 < -1.05
    }

    @Test
    void frequencyPenaltyScalesWithCountPresencePenaltyDoesNot() {
        SamplingParams freqLow = SamplingParams.builder().temperature(0).frequencyPenalty(0.04f).build();
        SamplingParams freqHigh = SamplingParams.builder().temperature(0).frequencyPenalty(0.06f).build();
        assertThat(greedyAfter(freqLow, new float[] {2.0f, 1.9f}, 0, 0)).isEqualTo(0);  // 2 - 2 * 0.04 = 1.92
        assertThat(greedyAfter(freqHigh, new float[] {2.0f, 1.9f}, 0, 0)).isEqualTo(1); // 2 - 2 * 0.06 = 1.88
        SamplingParams presence = SamplingParams.builder().temperature(0).presencePenalty(0.09f).build();
        assertThat(greedyAfter(presence, new float[] {2.0f, 1.9f}, 0, 0, 0)).isEqualTo(0); // 2 - 0.09 = 1.91
        assertThat(greedyAfter(presence.toBuilder().presencePenalty(0.11f).build(), new float[] {2.0f, 1.9f}, 0, 0))
                .isEqualTo(1);
    }

    @Test
    void penaltiesOnlySeeTheWindow() {
        SamplingParams p = SamplingParams.builder().temperature(0).presencePenalty(0.5f).penaltyWindow(2).build();
        assertThat(greedyAfter(p, new float[] {2.0f, 1.9f}, 0, 5, 6)).isEqualTo(0); // token 0 left the window
        assertThat(greedyAfter(p, new float[] {2.0f, 1.9f}, 5, 0, 6)).isEqualTo(1);
    }

    private static int greedyAfter(SamplingParams params, float[] head, int... history) {
        float[] logits = new float[V];
        java.util.Arrays.fill(logits, -10f);
        System.arraycopy(head, 0, logits, 0, head.length);
        Sampler s = new Sampler(params, V);
        for (int t : history) {
            s.accept(t);
        }
        return s.sample(logits, 0);
    }

    @Test
    void logitBiasForcesAToken() {
        float[] logits = randomLogits(3);
        Map<Integer, Float> bias = Map.of(7, 100f);
        assertThat(support(SamplingParams.builder().temperature(0).logitBias(bias).build(), logits, 10)).containsExactly(7);
        assertThat(support(SamplingParams.builder().logitBias(bias).seed(3L).build(), logits, 500)).containsExactly(7);
        Map<Integer, Float> ban = Map.of(0, Float.NEGATIVE_INFINITY, 1, Float.NEGATIVE_INFINITY);
        assertThat(support(SamplingParams.builder().logitBias(ban).seed(3L).build(), logitsOf(0.5, 0.49, 0.01), 200))
                .containsExactly(2);
    }

    @Test
    void logitBiasOutsideTheVocabularyIsABadRequest() {
        assertThatThrownBy(() -> new Sampler(SamplingParams.builder().logitBias(Map.of(V, 1f)).build(), V))
                .isInstanceOf(EngineException.InvalidRequest.class).hasMessageContaining("logit_bias token id 64");
    }

    @Test
    void logprobsAreANormalizedLogSoftmaxOfTheBiasedLogits() {
        float[] logits = randomLogits(4);
        Sampler s = new Sampler(SamplingParams.builder().logitBias(Map.of(5, 2f)).seed(9L).build(), V);
        int token = s.sample(logits, 0);
        double total = 0;
        for (int t = 0; t < V; t++) {
            total += Math.exp(s.logprob(t));
        }
        assertThat(total).isCloseTo(1.0, within(1e-5));
        assertThat(s.logprob(5) - s.logprob(6)).isCloseTo(logits[5] + 2f - logits[6], within(1e-5f));
        assertThat(s.logprob(token)).isLessThanOrEqualTo(0f);

        assertThat(s.topLogprobs(0, new int[0], new float[0])).isZero();
        int[] ids = new int[5];
        float[] lps = new float[5];
        assertThat(s.topLogprobs(5, ids, lps)).isEqualTo(5);
        for (int i = 1; i < 5; i++) {
            assertThat(lps[i]).isLessThanOrEqualTo(lps[i - 1]);
        }
        for (int t = 0; t < V; t++) {
            if (!java.util.Arrays.stream(ids).boxed().toList().contains(t)) {
                assertThat(s.logprob(t)).isLessThanOrEqualTo(lps[4]);
            }
        }
    }
}
