package dev.strata.engine.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.engine.EngineException;
import dev.strata.engine.generate.GenerationEvent.FinishReason;
import dev.strata.engine.kv.BlockPool;
import dev.strata.engine.model.GoldenFiles;
import dev.strata.engine.sample.SamplingParams;
import dev.strata.engine.tokenizer.Tokenizers;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The serving engine on the demo model: prefix cache, preemption, limits, and a no-leak soak. */
class LocalEngineServingTest {
    /** stories260K: 5 layers, 4 kv heads x 8 = 32 floats of K and of V per token and layer. */
    private static final long BLOCK_BYTES = BlockPool.bytesPerBlock(16, 5, 32, 32) + BlockPool.BLOCK_OVERHEAD_BYTES;

    private static int[] storyPrompt(int length) {
        int[] golden = GoldenFiles.greedy().getFirst().outputTokenIds();
        int[] prompt = new int[length];
        prompt[0] = 1;
        System.arraycopy(golden, 0, prompt, 1, length - 1);
        return prompt;
    }

    @Test
    void aPrefixHitGivesTheSameGreedyOutputAsTheColdRun() throws InterruptedException {
        try (LocalEngine engine = LocalEngine.open(LocalEngineTest.demoModel(), new EngineOptions(1, 4, 64, 0))) {
            int[] prompt = storyPrompt(70);
            LocalEngineTest.Run cold = LocalEngineTest.drain(engine.submit(GenerationRequest.of("cold", prompt,
                    SamplingParams.GREEDY, 40)));
            assertThat(cold.finished().usage().cachedPromptTokens()).isZero();
            LocalEngineTest.Run warm = LocalEngineTest.drain(engine.submit(GenerationRequest.of("warm", prompt,
                    SamplingParams.GREEDY, 40)));
            assertThat(warm.finished().usage().cachedPromptTokens()).isEqualTo(64);
            assertThat(warm.ids()).containsExactly(cold.ids());
            assertThat(warm.text()).isEqualTo(cold.text());
            EngineStats stats = engine.stats();
            assertThat(stats.prefixCacheQueries()).isEqualTo(140);
            assertThat(stats.prefixCacheHits()).isEqualTo(64);
        }
    }

    @Test
    void preemptionUnderASmallKvCapGivesTheSameOutputsAsAnUnconstrainedRun() throws InterruptedException {
        int[][] prompts = new int[6][];
        for (int i = 0; i < prompts.length; i++) {
            prompts[i] = Arrays.copyOfRange(storyPrompt(40), 0, 5 + 7 * i);
            prompts[i][prompts[i].length - 1] = 100 + i; // different prompts
        }
        List<int[]> free = run(new EngineOptions(1, 6, 64, 0), prompts, 60, null);
        EngineOptions capped = new EngineOptions(1, 6, 64, 0).withKvMemoryBytes(12 * BLOCK_BYTES);
        long[] preemptions = new long[1];
        List<int[]> tight = run(capped, prompts, 60, preemptions);
        assertThat(preemptions[0]).as("preemptions").isPositive();
        for (int i = 0; i < prompts.length; i++) {
            assertThat(tight.get(i)).as("sequence " + i).containsExactly(free.get(i));
        }
    }

    private static List<int[]> run(EngineOptions options, int[][] prompts, int maxTokens, long[] preemptions)
            throws InterruptedException {
        try (LocalEngine engine = LocalEngine.open(LocalEngineTest.demoModel(), options)) {
            if (options.kvMemoryBytes() > 0) {
                assertThat(engine.kvSizeBytes()).isLessThanOrEqualTo(options.kvMemoryBytes());
            }
            List<TokenStream> streams = new ArrayList<>();
            for (int i = 0; i < prompts.length; i++) {
                streams.add(engine.submit(new GenerationRequest("p" + i, prompts[i], SamplingParams.GREEDY, maxTokens,
                        List.of(), true, 0, -1)));
            }
            List<int[]> out = new ArrayList<>();
            for (TokenStream s : streams) {
                LocalEngineTest.Run r = LocalEngineTest.drain(s);
                assertThat(r.finished().reason()).isEqualTo(FinishReason.LENGTH);
                out.add(r.ids());
            }
            if (preemptions != null) {
                preemptions[0] = engine.stats().numPreemptions();
            }
            return out;
        }
    }

    @Test
    void aRequestThatCanNeverFitThePoolIsRefusedAtSubmit() {
        try (LocalEngine engine = LocalEngine.open(LocalEngineTest.demoModel(),
                new EngineOptions(1, 2, 16, 0).withKvMemoryBytes(4 * BLOCK_BYTES))) {
            assertThat(engine.kvBlocks()).isEqualTo(4);
            engine.submit(GenerationRequest.of("ok", storyPrompt(10), SamplingParams.GREEDY, 54)).cancel();
            assertThatThrownBy(() -> engine.submit(GenerationRequest.of("big", storyPrompt(10), SamplingParams.GREEDY,
                    55))).isInstanceOf(EngineException.InvalidRequest.class)
                    .hasMessage("prompt of 10 tokens plus max_tokens 55 needs 65 tokens of KV memory but the whole pool"
                            + " holds 64 tokens");
        }
    }

    @Test
    void aFullWaitingQueueRefusesWithOverloaded() throws InterruptedException {
        try (LocalEngine engine = LocalEngine.open(LocalEngineTest.demoModel(),
                new EngineOptions(1, 1, 16, 0).withMaxWaiting(2))) {
            TokenStream running = engine.submit(GenerationRequest.of("run", new int[] {1}, SamplingParams.GREEDY, 400));
            assertThat(running.next()).isInstanceOf(GenerationEvent.Token.class); // started
            TokenStream a = engine.submit(GenerationRequest.of("a", new int[] {1}, SamplingParams.GREEDY, 2));
            TokenStream b = engine.submit(GenerationRequest.of("b", new int[] {1}, SamplingParams.GREEDY, 2));
            assertThat(engine.queuedRequests()).isEqualTo(2);
            assertThatThrownBy(() -> engine.submit(GenerationRequest.of("c", new int[] {1}, SamplingParams.GREEDY, 2)))
                    .isInstanceOf(EngineException.Overloaded.class).hasMessageContaining("waiting queue is full (2");
            running.cancel();
            assertThat(LocalEngineTest.drain(a).tokens()).hasSize(2);
            assertThat(LocalEngineTest.drain(b).tokens()).hasSize(2);
            assertThat(engine.queuedRequests()).isZero();
        }
    }

    /**
     * Hundreds of random requests through a small pool with priorities, cancellations and forward
     * passes failing at random: every stream ends exactly once and every block comes back.
     */
    @Test
    void soakEndsEveryStreamOnceAndLeaksNoBlock() throws InterruptedException {
        SplittableRandom faultRandom = new SplittableRandom(7);
        FaultInjector faults = n -> {
            if (faultRandom.nextInt(40) == 0) {
                throw new IllegalStateException("injected fault");
            }
        };
        EngineOptions options = new EngineOptions(1, 8, 32, 0).withKvMemoryBytes(16 * BLOCK_BYTES);
        SplittableRandom random = new SplittableRandom(11);
        int[] story = storyPrompt(100);
        try (LocalEngine engine = LocalEngine.open(LocalEngineTest.demoModel(), options, Tokenizers::fromGguf,
                StepListener.NONE, faults)) {
            List<QueueTokenStream> streams = new ArrayList<>();
            for (int i = 0; i < 400; i++) {
                int[] prompt = Arrays.copyOf(story, 1 + random.nextInt(60));
                if (random.nextBoolean()) {
                    prompt[prompt.length - 1] = 3 + random.nextInt(200); // some share prefixes, some not
                }
                GenerationRequest r = new GenerationRequest("s" + i, prompt,
                        SamplingParams.builder().temperature(0.8f).topK(40).seed(random.nextLong()).build(),
                        random.nextInt(40), List.of(), random.nextBoolean(), random.nextInt(3), -1);
                QueueTokenStream s = (QueueTokenStream) engine.submit(r);
                streams.add(s);
                if (random.nextInt(8) == 0) {
                    s.cancel();
                }
            }
            for (QueueTokenStream s : streams) {
                GenerationEvent end;
                do {
                    end = s.poll(30, TimeUnit.SECONDS);
                    assertThat(end).as("event within 30 s").isNotNull();
                } while (!end.isTerminal());
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (engine.stats().kvCacheUsage() > 0 && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertThat(streams).allSatisfy(s -> assertThat(s.numTerminal()).isEqualTo(1));
            assertThat(engine.stats().kvCacheUsage()).isZero();
            assertThat(engine.stats().numRunning() + engine.stats().numWaiting()).isZero();
            assertThat(engine.queuedRequests()).isZero();
            assertThat(engine.stats().numPreemptions()).as("preemptions").isPositive();
            assertThat(streams).anySatisfy(s -> assertThat(s.poll(0, TimeUnit.SECONDS))
                    .isInstanceOf(GenerationEvent.Failed.class));
        }
    }
}
