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
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Every architecture's forward pass against {@link ReferenceForward} on a random tiny model. */
class ModelTest {
    private static final int[] TOKENS = {1, 17, 42, 5, 63, 0, 8, 8, 30, 11};
    private static ComputePool pool;

    @TempDir
    static Path dir;

    @BeforeAll
    static void startPool() {
        pool = new ComputePool(2);
    }

    @AfterAll
    static void stopPool() {
        pool.close();
    }

    @ParameterizedTest
    @EnumSource(Architecture.class)
    void batchedPrefillMatchesTheReference(Architecture arch) {
        try (GgufFile gguf = GgufFile.open(TestModels.write(arch, 7, dir))) {
            Model model = Model.load(gguf, pool);
            KvCache cache = newCache(model, TOKENS.length);
            ForwardBatch batch = new ForwardBatch(TOKENS.length);
            for (int p = 0; p < TOKENS.length; p++) {
                batch.add(TOKENS[p], p, cache);
            }
            batch.requestLogits();
            float[] logits = model.forward(batch, model.newState(TOKENS.length, 1));
            assertClose(logits, ReferenceForward.logits(model.config(), model.weights(), TOKENS), arch + " prefill");
        }
    }

    @ParameterizedTest
    @EnumSource(Architecture.class)
    void decodingTokenByTokenMatchesTheReferenceAtEveryPosition(Architecture arch) {
        try (GgufFile gguf = GgufFile.open(TestModels.write(arch, 11, dir))) {
            Model model = Model.load(gguf, pool);
            KvCache cache = newCache(model, TOKENS.length);
            ForwardBatch batch = new ForwardBatch(3);
            ForwardState state = model.newState(3, 1);
            batch.add(TOKENS[0], 0, cache);
            batch.add(TOKENS[1], 1, cache);
            batch.add(TOKENS[2], 2, cache);  // a 3-token chunk, then single tokens
            batch.requestLogits();
            model.forward(batch, state);
            for (int p = 3; p < TOKENS.length; p++) {
                batch.clear();
                batch.add(TOKENS[p], p, cache);
                batch.requestLogits();
                float[] logits = model.forward(batch, state);
                assertClose(logits, ReferenceForward.logits(model.config(), model.weights(),
                        Arrays.copyOf(TOKENS, p + 1)), arch + " position " + p);
            }
        }
    }

    /**
     * A warm forward pass (batched, so the tiled product, attention and the pool all run) allocates
     * next to nothing on the calling thread and the pool's workers, counted with
     * {@code com.sun.management.ThreadMXBean#getThreadAllocatedBytes} over 200 passes. Before the
     * pool's jobs became reusable and {@code F32Tensor.dot4} stopped boxing vectors this was about
     * 390 KB per pass; what is left (about 150 bytes per pass here) is the JIT occasionally boxing a
     * vector in a kernel's lane sum, so the bound is 1 KiB per pass, not zero.
     */
    @org.junit.jupiter.api.Test
    void aWarmForwardPassDoesNotAllocate() {
        var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        try (GgufFile gguf = GgufFile.open(TestModels.write(Architecture.LLAMA, 13, dir))) {
            Model model = Model.load(gguf, pool);
            KvCache cache = newCache(model, TOKENS.length);
            ForwardBatch batch = new ForwardBatch(TOKENS.length);
            ForwardState state = model.newState(TOKENS.length, 1);
            for (int p = 0; p < TOKENS.length; p++) {
                batch.add(TOKENS[p], p, cache);
            }
            batch.requestLogits();
            long[] ids = java.util.Arrays.stream(threads.dumpAllThreads(false, false))
                    .filter(t -> t.getThreadName().startsWith("strata-compute-")
                            || t.getThreadId() == Thread.currentThread().threadId())
                    .mapToLong(java.lang.management.ThreadInfo::getThreadId).toArray();
            assertThat(ids).hasSizeGreaterThanOrEqualTo(2);
            // "Warm" = after C2 has compiled the kernels, which takes longer on a loaded machine: measure
            // rounds of 200 passes until one is quiet (at most 40 rounds), and assert on the best.
            long allocated = Long.MAX_VALUE;
            for (int round = 0; round < 40 && allocated >= 200 * 1024; round++) {
                long before = Arrays.stream(threads.getThreadAllocatedBytes(ids)).sum();
                for (int i = 0; i < 200; i++) {
                    model.forward(batch, state);
                }
                allocated = Math.min(allocated, Arrays.stream(threads.getThreadAllocatedBytes(ids)).sum() - before);
            }
            assertThat(allocated).as("bytes allocated by 200 warm forward passes").isLessThan(200 * 1024);
        }
    }

    @org.junit.jupiter.api.Test
    void llama3RopeFrequencyFactorsAreApplied() {
        java.nio.ByteBuffer factors = java.nio.ByteBuffer.allocate(16).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        factors.putFloat(1f).putFloat(2f).putFloat(8f).putFloat(32f);
        Path file = dir.resolve("llama3-rope.gguf");
        TestModels.writer(Architecture.LLAMA, 3)
                .addTensor("rope_freqs.weight", dev.strata.engine.gguf.GgmlType.F32, new long[] {4}, factors.array())
                .write(file);
        try (GgufFile gguf = GgufFile.open(file)) {
            Model model = Model.load(gguf, pool);
            assertThat(model.weights().ropeFreqFactors()).containsExactly(1f, 2f, 8f, 32f);
            KvCache cache = newCache(model, TOKENS.length);
            ForwardBatch batch = new ForwardBatch(TOKENS.length);
            for (int p = 0; p < TOKENS.length; p++) {
                batch.add(TOKENS[p], p, cache);
            }
            batch.requestLogits();
            float[] logits = model.forward(batch, model.newState(TOKENS.length, 1));
            assertClose(logits, ReferenceForward.logits(model.config(), model.weights(), TOKENS), "llama3 rope");
        }
    }

    private static KvCache newCache(Model model, int capacity) {
        ModelConfig c = model.config();
        // a block size of 4 so the prompt spans several blocks
        return new ContiguousKvCache(c.numLayers(), c.keyWidth(), c.valueWidth(), capacity, 4);
    }

    private static void assertClose(float[] actual, double[] expected, String what) {
        double scale = Arrays.stream(expected).map(Math::abs).max().orElse(1);
        for (int i = 0; i < expected.length; i++) {
            assertThat((double) actual[i]).as(what + " logit " + i).isCloseTo(expected[i],
                    org.assertj.core.data.Offset.offset(1e-4 * Math.max(1, scale)));
        }
    }
}
