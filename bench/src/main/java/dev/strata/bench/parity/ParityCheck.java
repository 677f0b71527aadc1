package dev.strata.bench.parity;

import dev.strata.bench.peer.LlamaCppPeer;
import dev.strata.bench.peer.TokenProb;
import dev.strata.engine.gguf.GgufFile;
import dev.strata.engine.kv.ContiguousKvCache;
import dev.strata.engine.kv.KvCache;
import dev.strata.engine.model.ForwardBatch;
import dev.strata.engine.model.ForwardState;
import dev.strata.engine.model.Model;
import dev.strata.engine.model.ModelConfig;
import dev.strata.engine.tensor.ComputePool;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Runs one GGUF file in Strata ({@link Model#forward}) and in llama.cpp ({@link LlamaCppPeer}, F32 KV
 * cache) and compares them.
 *
 * <p>Method. (1) llama.cpp decodes the prompt, then greedily generates {@code steps} tokens one
 * {@code llama_decode} at a time. (2) Both engines evaluate the same sequence, prompt plus
 * llama.cpp's continuation, in one batch with logits at every position (teacher forcing, so one
 * early divergence cannot hide or inflate later differences); at each position the softmax (in
 * double) of both logit rows is compared on the union of the two top-N sets. (3) Strata generates
 * its own greedy continuation, prompt in one pass then one token per pass, which must equal
 * llama.cpp's token for token.
 */
public final class ParityCheck {
    private ParityCheck() {
    }

    public static ParityResult compare(String label, Path model, int[] prompt, int steps, int topN, int threads) {
        return compare(label, model, List.of(model), prompt, steps, topN, threads).getFirst();
    }

    /**
     * Compares Strata on {@code strataModel} with llama.cpp on each of {@code llamaModels} (the same
     * file, or its {@link DequantizedTwin}); Strata's model is loaded and its greedy run made once.
     */
    public static List<ParityResult> compare(String label, Path strataModel, List<Path> llamaModels, int[] prompt,
                                             int steps, int topN, int threads) {
        if (prompt.length == 0 || steps < 1 || topN < 1) {
            throw new IllegalArgumentException("need a prompt, steps >= 1 and topN >= 1");
        }
        try (GgufFile gguf = GgufFile.open(strataModel); ComputePool pool = new ComputePool(threads)) {
            Model strata = Model.load(gguf, pool);
            int[] strataGreedy = greedy(strata, prompt, steps);
            List<ParityResult> results = new ArrayList<>();
            for (Path llamaModel : llamaModels) {
                int[] llamaGreedy;
                List<float[]> llamaRows;
                try (LlamaCppPeer peer = LlamaCppPeer.open(llamaModel,
                        LlamaCppPeer.Options.forParity(threads, prompt.length + steps))) {
                    llamaGreedy = peer.generate(prompt, steps, 0).generated();
                    llamaRows = peer.logitsAtEveryPosition(teacherSequence(prompt, llamaGreedy));
                }
                int[] sequence = teacherSequence(prompt, llamaGreedy);
                float[] strataLogits = logitsAtEveryPosition(strata, sequence);
                int matched = 0;
                while (matched < steps && strataGreedy[matched] == llamaGreedy[matched]) {
                    matched++;
                }
                results.add(compareRows(label, strataLogits, llamaRows, strata.config().vocabSize(), topN, matched,
                        steps));
            }
            return results;
        }
    }

    /**
     * llama.cpp against itself: the largest |Δp| (union of both top-N sets, every position) between
     * evaluating prompt + its own greedy continuation in one batch and one token per
     * {@code llama_decode}. Both are llama.cpp's results on the same file, so this is the noise floor
     * of the comparison: with batches llama.cpp takes other kernels (llamafile's tinyBLAS for F32,
     * F16, Q8_0, Q4_0, Q5_0; ggml's vec_dot for one token), whose float summation order differs, and
     * where activations are then rounded to 8 bits a last-bit difference can move a value by a
     * whole quantization step.
     */
    public static double llamaCppBatchVersusSingle(Path model, int[] prompt, int steps, int topN, int threads) {
        int context = prompt.length + steps;
        int[] sequence;
        List<float[]> batched;
        try (LlamaCppPeer peer = LlamaCppPeer.open(model, LlamaCppPeer.Options.forParity(threads, context))) {
            sequence = teacherSequence(prompt, peer.generate(prompt, steps, 0).generated());
            batched = peer.logitsAtEveryPosition(sequence);
        }
        List<float[]> single;
        try (LlamaCppPeer peer = LlamaCppPeer.open(model,
                new LlamaCppPeer.Options(threads, context, 1, LlamaCppPeer.KvCacheType.F32))) {
            single = peer.logitsAtEveryPosition(sequence);
        }
        double max = 0;
        for (int p = 0; p < sequence.length; p++) {
            max = Math.max(max, maxTopProbDiff(batched.get(p), single.get(p), topN));
        }
        return max;
    }

    /** Largest |Δp| of two logit rows over the union of their top-N tokens. */
    private static double maxTopProbDiff(float[] a, float[] b, int topN) {
        double[] pa = softmax(a);
        double[] pb = softmax(b);
        Set<Integer> ids = new HashSet<>();
        for (TokenProb t : TokenProb.top(a, topN)) {
            ids.add(t.token());
        }
        for (TokenProb t : TokenProb.top(b, topN)) {
            ids.add(t.token());
        }
        double max = 0;
        for (int id : ids) {
            max = Math.max(max, Math.abs(pa[id] - pb[id]));
        }
        return max;
    }

    private static ParityResult compareRows(String label, float[] strataLogits, List<float[]> llamaRows, int vocab,
                                            int topN, int greedyMatched, int steps) {
        double maxProb = 0;
        double maxLogit = 0;
        int worst = -1;
        int top1 = 0;
        for (int p = 0; p < llamaRows.size(); p++) {
            float[] ours = Arrays.copyOfRange(strataLogits, p * vocab, (p + 1) * vocab);
            float[] theirs = llamaRows.get(p);
            double[] pOurs = softmax(ours);
            double[] pTheirs = softmax(theirs);
            TokenProb[] topOurs = TokenProb.top(ours, topN);
            TokenProb[] topTheirs = TokenProb.top(theirs, topN);
            if (topOurs[0].token() == topTheirs[0].token()) {
                top1++;
            }
            Set<Integer> ids = new HashSet<>();
            for (int j = 0; j < topN; j++) {
                ids.add(topOurs[j].token());
                ids.add(topTheirs[j].token());
            }
            for (int id : ids) {
                double d = Math.abs(pOurs[id] - pTheirs[id]);
                if (d > maxProb) {
                    maxProb = d;
                    worst = p;
                }
            }
            for (int i = 0; i < vocab; i++) {
                maxLogit = Math.max(maxLogit, Math.abs(ours[i] - theirs[i]));
            }
        }
        return new ParityResult(label, llamaRows.size(), maxProb, worst, top1, greedyMatched, steps, maxLogit);
    }

    /** Prompt followed by all but the last generated token: the inputs whose outputs were generated. */
    private static int[] teacherSequence(int[] prompt, int[] generated) {
        int[] sequence = Arrays.copyOf(prompt, prompt.length + generated.length - 1);
        System.arraycopy(generated, 0, sequence, prompt.length, generated.length - 1);
        return sequence;
    }

    /** Strata's logits after every token of {@code tokens}, from one batched pass. */
    static float[] logitsAtEveryPosition(Model model, int[] tokens) {
        ModelConfig c = model.config();
        KvCache cache = new ContiguousKvCache(c.numLayers(), c.keyWidth(), c.valueWidth(), tokens.length);
        ForwardBatch batch = new ForwardBatch(tokens.length);
        for (int p = 0; p < tokens.length; p++) {
            batch.add(tokens[p], p, cache);
            batch.requestLogits();
        }
        float[] logits = model.forward(batch, model.newState(tokens.length, tokens.length)).clone();
        cache.release();
        return logits;
    }

    /** Strata's greedy continuation: the prompt in one pass, then one token per pass. */
    static int[] greedy(Model model, int[] prompt, int steps) {
        ModelConfig c = model.config();
        KvCache cache = new ContiguousKvCache(c.numLayers(), c.keyWidth(), c.valueWidth(), prompt.length + steps);
        ForwardState state = model.newState(prompt.length, 1);
        ForwardBatch batch = new ForwardBatch(prompt.length);
        for (int p = 0; p < prompt.length; p++) {
            batch.add(prompt[p], p, cache);
        }
        batch.requestLogits();
        int[] out = new int[steps];
        int vocab = c.vocabSize();
        out[0] = argmax(model.forward(batch, state), vocab);
        for (int i = 1; i < steps; i++) {
            batch.clear();
            batch.add(out[i - 1], prompt.length + i - 1, cache);
            batch.requestLogits();
            out[i] = argmax(model.forward(batch, state), vocab);
        }
        cache.release();
        return out;
    }

    private static int argmax(float[] logits, int vocab) {
        int best = 0;
        for (int i = 1; i < vocab; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        return best;
    }

    /** Softmax in double over the full row (what llama-server's {@code n_probs} computes at temperature 0). */
    static double[] softmax(float[] logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (float v : logits) {
            max = Math.max(max, v);
        }
        double sum = 0;
        double[] p = new double[logits.length];
        for (int i = 0; i < logits.length; i++) {
            p[i] = Math.exp(logits[i] - max);
            sum += p[i];
        }
        for (int i = 0; i < p.length; i++) {
            p[i] /= sum;
        }
        return p;
    }
}
