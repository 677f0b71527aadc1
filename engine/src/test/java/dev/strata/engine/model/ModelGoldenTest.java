package dev.strata.engine.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.engine.gguf.GgmlType;
import dev.strata.engine.gguf.GgufFile;
import dev.strata.engine.kv.ContiguousKvCache;
import dev.strata.engine.kv.KvCache;
import dev.strata.engine.tensor.ComputePool;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Parity of the forward pass with llama2.c and llama.cpp on the demo models (golden/PROVENANCE.md). */
class ModelGoldenTest {
    private static final int VOCAB = 512;
    private static GgufFile f32File;
    private static GgufFile q8File;
    private static ComputePool pool;
    private static Model f32;
    private static Model q8;

    static Path model(String name) {
        return Path.of(System.getProperty("strata.models.dir", "../models"), name);
    }

    @BeforeAll
    static void load() {
        pool = new ComputePool(2);
        f32File = GgufFile.open(model("stories260K.gguf"));
        f32 = Model.load(f32File, pool);
        q8File = GgufFile.open(model("stories260K-q8_0.gguf"));
        q8 = Model.load(q8File, pool);
    }

    @AfterAll
    static void close() {
        pool.close();
        f32File.close();
        q8File.close();
    }

    @Test
    void readsTheDemoConfig() {
        ModelConfig c = f32.config();
        assertThat(c.architecture()).isEqualTo(Architecture.LLAMA);
        assertThat(c.embeddingLength()).isEqualTo(64);
        assertThat(c.numLayers()).isEqualTo(5);
        assertThat(c.numHeads()).isEqualTo(8);
        assertThat(c.numKvHeads()).isEqualTo(4);
        assertThat(c.keyLength()).isEqualTo(8);
        assertThat(c.feedForwardLength()).isEqualTo(172);
        assertThat(c.vocabSize()).isEqualTo(VOCAB);
        assertThat(c.contextLength()).isEqualTo(512);
        assertThat(c.rope()).isEqualTo(new RopeConfig(RopeType.NORM, 8, 10000f, 1f));
        assertThat(f32.weights().tiedOutput()).isTrue();
        assertThat(q8.weights().tokenEmbedding().type()).isEqualTo(GgmlType.Q8_0);
        assertThat(q8.weights().layers().getFirst().wDown().type()).isEqualTo(GgmlType.F32);
    }

    @Test
    void logitsAtTheLastPromptPositionMatchLlamaCpp() {
        for (GoldenFiles.Logits golden : GoldenFiles.logitsLastPromptPosition()) {
            float[] ours = lastPromptLogits(f32, golden.promptTokenIds());
            assertThat(argmax(ours, 0)).as(golden.prompt()).isEqualTo(golden.argmax());
            assertThat(maxAbsDiff(ours, golden.logits())).as(golden.prompt()).isLessThan(1e-4f);
        }
    }

    /**
     * The reference multiplies the dequantized weights with F32 activations; Strata rounds the
     * activations to Q8_0 first, as llama.cpp does (MatMul, ActivationQuantizer), which moves these
     * logits by about 0.15. The bound is that rounding's size, not float error.
     */
    @Test
    void q8LogitsStayWithinActivationRoundingOfTheDequantizedReference() {
        for (GoldenFiles.Logits golden : GoldenFiles.logitsLastPromptPosition()) {
            float[] ours = lastPromptLogits(q8, golden.promptTokenIds());
            assertThat(maxAbsDiff(ours, golden.q8Dequantized())).as(golden.prompt()).isLessThan(0.3f);
        }
    }

    /** The real oracle for the Q8_0 file: llama.cpp's own logits, activations rounded the same way. */
    @Test
    void q8LogitsMatchLlamaCppOnTheSameFile() {
        for (GoldenFiles.Logits golden : GoldenFiles.logitsLastPromptPosition()) {
            float[] ours = lastPromptLogits(q8, golden.promptTokenIds());
            assertThat(maxAbsDiff(ours, golden.q8LlamaCpp())).as(golden.prompt()).isLessThan(1e-4f);
        }
    }

    @Test
    void greedyGenerationReproducesLlama2c() {
        for (GoldenFiles.Greedy golden : GoldenFiles.greedy()) {
            int[] expected = golden.outputTokenIds();
            assertThat(greedy(f32, golden.promptTokenIds(), expected.length)).as(golden.prompt()).containsExactly(expected);
        }
    }

    @Test
    void q8GreedyGenerationMatchesTheDequantizedReferenceWhileMarginsAreClear() {
        for (GoldenFiles.Q8Greedy golden : GoldenFiles.q8Greedy()) {
            int steps = golden.reliableSteps();
            int[] generated = greedy(q8, golden.promptTokenIds(), steps);
            assertThat(generated).as(golden.prompt()).containsExactly(Arrays.copyOf(golden.outputTokenIds(), steps));
        }
    }

    @Test
    void batchOfSeveralSequencesEqualsSeparatePasses() {
        int[] a = {1, 403, 407, 261, 378};
        int[] b = {1, 317, 269};
        KvCache cacheA = newCache(f32, 8);
        KvCache cacheB = newCache(f32, 8);
        ForwardBatch batch = new ForwardBatch(8);
        for (int p = 0; p < a.length; p++) {
            batch.add(a[p], p, cacheA);
        }
        int rowA = batch.requestLogits();
        for (int p = 0; p < b.length; p++) {
            batch.add(b[p], p, cacheB);
        }
        int rowB = batch.requestLogits();
        float[] both = f32.forward(batch, f32.newState(8, 2)).clone();
        // Equal up to rounding: each output element is the same dot product whatever the batch,
        // but Vector API lane reductions may round differently before and after JIT compilation.
        float[] batchedA = Arrays.copyOfRange(both, rowA * VOCAB, rowA * VOCAB + VOCAB);
        float[] batchedB = Arrays.copyOfRange(both, rowB * VOCAB, rowB * VOCAB + VOCAB);
        assertThat(maxAbsDiff(batchedA, lastPromptLogits(f32, a))).isLessThan(1e-5f);
        assertThat(maxAbsDiff(batchedB, lastPromptLogits(f32, b))).isLessThan(1e-5f);
    }

    /** Logits after the whole prompt, run as one batch. */
    private static float[] lastPromptLogits(Model model, int[] prompt) {
        KvCache cache = newCache(model, prompt.length);
        ForwardBatch batch = new ForwardBatch(prompt.length);
        for (int p = 0; p < prompt.length; p++) {
            batch.add(prompt[p], p, cache);
        }
        batch.requestLogits();
        return Arrays.copyOf(model.forward(batch, model.newState(prompt.length, 1)), VOCAB);
    }

    /** Greedy tokens after {@code prompt}: the prompt in chunks of 8, then one token per pass. */
    private static int[] greedy(Model model, int[] prompt, int steps) {
        ForwardState state = model.newState(8, 1);
        ForwardBatch batch = new ForwardBatch(8);
        KvCache cache = newCache(model, prompt.length + steps);
        int[] generated = new int[steps];
        int position = 0;
        int next = -1;
        for (int step = 0; step < steps; step++) {
            batch.clear();
            if (step == 0) {
                for (int token : prompt) {
                    if (batch.size() == batch.capacity()) {
                        model.forward(batch, state);
                        batch.clear();
                    }
                    batch.add(token, position++, cache);
                }
            } else {
                batch.add(next, position++, cache);
            }
            batch.requestLogits();
            next = argmax(model.forward(batch, state), 0);
            generated[step] = next;
        }
        return generated;
    }

    private static KvCache newCache(Model model, int capacity) {
        ModelConfig c = model.config();
        return new ContiguousKvCache(c.numLayers(), c.keyWidth(), c.valueWidth(), capacity);
    }

    static int argmax(float[] x, int offset) {
        int best = 0;
        for (int i = 1; i < VOCAB; i++) {
            if (x[offset + i] > x[offset + best]) {
                best = i;
            }
        }
        return best;
    }

    private static float maxAbsDiff(float[] a, float[] b) {
        float max = 0f;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
    }
}
