package dev.strata.engine.generate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.engine.sample.SamplingParams;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The engine's read-only hooks for metrics: {@link LocalEngine#stats()} and the {@link StepListener}. */
class LocalEngineStatsTest {

    @Test
    void stepListenerHearsEveryFedToken() throws InterruptedException {
        List<int[]> steps = new CopyOnWriteArrayList<>();
        try (LocalEngine engine = LocalEngine.open(LocalEngineTest.demoModel(), new EngineOptions(1, 2, 16, 0),
                dev.strata.engine.tokenizer.Tokenizers::fromGguf, (tokens, sequences) -> steps.add(
                        new int[] {tokens, sequences}))) {
            LocalEngineTest.Run run = LocalEngineTest.drain(engine.submit(GenerationRequest.of("a",
                    new int[] {1, 2, 3, 4, 5}, SamplingParams.GREEDY, 3)));
            assertThat(run.tokens()).hasSize(3);
            // the prompt in one pass, then each sampled token but the last is fed back
            assertThat(steps).extracting(s -> s[0]).containsExactly(5, 1, 1);
            assertThat(steps).extracting(s -> s[1]).containsOnly(1);
        }
    }

    @Test
    void finishCarriesWhenEveryTokenWasPublished() throws InterruptedException {
        try (LocalEngine engine = LocalEngine.open(LocalEngineTest.demoModel(), new EngineOptions(1, 2, 16, 0))) {
            LocalEngineTest.Run run = LocalEngineTest.drain(engine.submit(GenerationRequest.of("a",
                    new int[] {1, 2, 3}, SamplingParams.GREEDY, 12)));
            GenerationEvent.Timings t = run.finished().timings();
            assertThat(t.tokenNanos()).hasSize(run.tokens().size()).hasSize(12).isSorted();
            assertThat(t.tokenNanos().getFirst()).isEqualTo(t.timeToFirstTokenNanos());
            assertThat(t.tokenNanos().getLast()).isLessThanOrEqualTo(t.totalNanos());
            assertThat(t.queueNanos()).isLessThanOrEqualTo(t.timeToFirstTokenNanos());
            long[] gaps = t.interTokenNanos();
            assertThat(gaps).hasSize(11);
            for (int i = 0; i < gaps.length; i++) {
                assertThat(gaps[i]).isEqualTo(t.tokenNanos().get(i + 1) - t.tokenNanos().get(i)).isNotNegative();
            }
        }
    }

    @Test
    void statsReportRunningSequenceAndItsKvShare() throws InterruptedException {
        try (LocalEngine engine = LocalEngine.open(LocalEngineTest.demoModel(), new EngineOptions(1, 4, 16, 0))) {
            assertThat(engine.stats()).isEqualTo(EngineStats.IDLE);
            // 400 tokens: with the tiled kernels a warm engine can generate 40 before the stats are read
            TokenStream stream = engine.submit(GenerationRequest.of("a", new int[] {1, 2, 3}, SamplingParams.GREEDY,
                    400));
            stream.next();
            stream.next(); // published by the second step: the loop updated its stats after the first
            EngineStats stats = engine.stats();
            assertThat(stats.numRunning()).isEqualTo(1);
            assertThat(stats.numWaiting()).isZero();
            // at least 4 tokens computed, and the loop may have run on (up to 3 + 400 tokens): between one
            // and 26 16-token blocks of the pool referenced, always a whole number of blocks
            double blocks = stats.kvCacheUsage() * engine.kvBlocks();
            assertThat(blocks).isBetween(1.0, 26.0);
            assertThat(blocks).isCloseTo(Math.rint(blocks), org.assertj.core.api.Assertions.within(1e-6));
            stream.cancel();
            LocalEngineTest.drain(stream);
        }
    }
}
