package dev.strata.engine.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.engine.gguf.GgufFile;
import dev.strata.engine.kv.ContiguousKvCache;
import dev.strata.engine.kv.KvCache;
import dev.strata.engine.tensor.ComputePool;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Parity of the forward pass with llama2.c and llama.cpp on the demo model (golden/PROVENANCE.md). */
class ModelGoldenTest {
    private static GgufFile gguf;
    private static ComputePool pool;
    private static Model model;

    static Path demoModel() {
        return Path.of(System.getProperty("strata.models.dir", "../models"), "stories260K.gguf");
    }

    @BeforeAll
    static void load() {
        gguf = GgufFile.open(demoModel());
        pool = new ComputePool(2);
        model = Model.load(gguf, pool);
    }

    @AfterAll
    static void close() {
        pool.close();
        gguf.close();
    }

    @Test
    void readsTheDemoConfig() {
        ModelConfig c = model.config();
        assertThat(c.architecture()).isEqualTo(Architecture.LLAMA);
        assertThat(c.embeddingLength()).isEqualTo(64);
        assertThat(c.numLayers()).isEqualTo(5);
        assertThat(c.numHeads()).isEqualTo(8);
        assertThat(c.numKvHeads()).isEqualTo(4);
        assertThat(c.keyLength()).isEqualTo(8);
        assertThat(c.feedForwardLength()).isEqualTo(172);
        assertThat(c.vocabSize()).isEqualTo(512);
        assertThat(c.contextLength()).isEqualTo(512);
        assertThat(c.rope()).isEqualTo(new RopeConfig(RopeType.NORM, 8, 10000f, 1f));
        assertThat(model.weights().tiedOutput()).isTrue();
    }

    @Test
    void logitsAtTheLastPromptPositionMatchLlamaCpp() {
        for (GoldenFiles.Logits golden : GoldenFiles.logitsLastPromptPosition()) {
            int[] prompt = golden.promptTokenIds();
            KvCache cache = newCache(prompt.length);
            ForwardBatch batch = new ForwardBatch(prompt.length);
            for (int p = 0; p < prompt.length; p++) {
                batch.add(prompt[p], p, cache);
            }
            batch.requestLogits();
            float[] logits = model.forward(batch, model.newState(prompt.length, 1));
            float[] ours = Arrays.copyOf(logits, 512);
            assertThat(argmax(ours, 0)).as(golden.prompt()).isEqualTo(golden.argmax());
            assertThat(maxAbsDiff(ours, golden.logits())).as(golden.prompt()).isLessThan(1e-4f);
        }
    }

    @Test
    void greedyGenerationReproducesLlama2c() {
        ForwardState state = model.newState(8, 1);
        ForwardBatch batch = new ForwardBatch(8);
        for (GoldenFiles.Greedy golden : GoldenFiles.greedy()) {
            int[] prompt = golden.promptTokenIds();
            int[] expected = golden.outputTokenIds();
            KvCache cache = newCache(prompt.length + expected.length);
            int[] generated = new int[expected.length];
            int position = 0;
            int next = -1;
            for (int step = 0; step < expected.length; step++) {
                batch.clear();
                if (step == 0) {
                    for (int token : prompt) {  // prompt in chunks of the batch capacity
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
            assertThat(generated).as(golden.prompt()).containsExactly(expected);
        }
    }

    @Test
    void batchOfSeveralSequencesEqualsSeparatePasses() {
        int[] a = {1, 403, 407, 261, 378};
        int[] b = {1, 317, 269};
        KvCache cacheA = newCache(8);
        KvCache cacheB = newCache(8);
        ForwardBatch batch = new ForwardBatch(8);
        for (int p = 0; p < a.length; p++) {
            batch.add(a[p], p, cacheA);
        }
        int rowA = batch.requestLogits();
        for (int p = 0; p < b.length; p++) {
            batch.add(b[p], p, cacheB);
        }
        int rowB = batch.requestLogits();
        float[] both = model.forward(batch, model.newState(8, 2)).clone();

        for (int[] prompt : new int[][] {a, b}) {
            KvCache cache = newCache(8);
            ForwardBatch single = new ForwardBatch(8);
            for (int p = 0; p < prompt.length; p++) {
                single.add(prompt[p], p, cache);
            }
            single.requestLogits();
            float[] alone = model.forward(single, model.newState(8, 1));
            int row = prompt == a ? rowA : rowB;
            assertThat(Arrays.copyOfRange(both, row * 512, row * 512 + 512)).containsExactly(Arrays.copyOf(alone, 512));
        }
    }

    private static KvCache newCache(int capacity) {
        ModelConfig c = model.config();
        return new ContiguousKvCache(c.numLayers(), c.keyWidth(), c.valueWidth(), capacity);
    }

    static int argmax(float[] x, int offset) {
        int best = 0;
        for (int i = 1; i < 512; i++) {
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
