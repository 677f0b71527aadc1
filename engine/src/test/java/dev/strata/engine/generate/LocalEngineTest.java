package dev.strata.engine.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.engine.EngineException;
import dev.strata.engine.generate.GenerationEvent.FinishReason;
import dev.strata.engine.model.GoldenFiles;
import dev.strata.engine.sample.SamplingParams;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class LocalEngineTest {
    private static LocalEngine engine;

    static Path demoModel() {
        return Path.of(System.getProperty("strata.models.dir", "../models"), "stories260K.gguf");
    }

    @BeforeAll
    static void open() {
        engine = LocalEngine.open(demoModel(), new EngineOptions(2, 4, 16, 0));
    }

    @AfterAll
    static void close() {
        engine.close();
    }

    /** Everything a stream produced. */
    record Run(List<GenerationEvent.Token> tokens, GenerationEvent terminal) {
        int[] ids() {
            return tokens.stream().mapToInt(GenerationEvent.Token::id).toArray();
        }

        String text() {
            StringBuilder sb = new StringBuilder();
            tokens.forEach(t -> sb.append(t.text()));
            return sb.toString();
        }

        GenerationEvent.Finished finished() {
            return (GenerationEvent.Finished) terminal;
        }
    }

    static Run drain(TokenStream stream) throws InterruptedException {
        List<GenerationEvent.Token> tokens = new ArrayList<>();
        while (true) {
            GenerationEvent e = stream.poll(30, TimeUnit.SECONDS);
            assertThat(e).as("event within 30 s").isNotNull();
            if (e instanceof GenerationEvent.Token t) {
                tokens.add(t);
            } else {
                return new Run(tokens, e);
            }
        }
    }

    @Test
    void concurrentGreedyRequestsReproduceTheGoldenTokensAndText() throws InterruptedException {
        List<GoldenFiles.Greedy> goldens = GoldenFiles.greedy();
        List<TokenStream> streams = new ArrayList<>();
        for (GoldenFiles.Greedy g : goldens) {
            // more sequences than maxSequences (4) + stream of a 5th, to exercise the waiting queue
            streams.add(engine.submit(GenerationRequest.of("r-" + g.prompt(), g.promptTokenIds(), SamplingParams.GREEDY,
                    g.outputTokenIds().length)));
        }
        streams.add(engine.submit(GenerationRequest.of("extra", new int[] {1}, SamplingParams.GREEDY, 3)));
        for (int i = 0; i < goldens.size(); i++) {
            GoldenFiles.Greedy g = goldens.get(i);
            Run run = drain(streams.get(i));
            assertThat(run.ids()).as(g.prompt()).containsExactly(g.outputTokenIds());
            // run.c prints the prompt, then the continuation; after a bare BOS the dummy-prefix space is dropped
            String expected = g.text().substring(g.prompt().length());
            assertThat(run.text()).as(g.prompt()).isEqualTo(expected);
            assertThat(run.finished().reason()).isEqualTo(FinishReason.LENGTH);
            assertThat(run.finished().usage()).isEqualTo(new GenerationEvent.Usage(g.promptTokenIds().length,
                    g.outputTokenIds().length, 0));
            GenerationEvent.Timings t = run.finished().timings();
            assertThat(t.queueNanos()).isNotNegative();
            assertThat(t.timeToFirstTokenNanos()).isPositive().isLessThanOrEqualTo(t.totalNanos());
        }
        assertThat(drain(streams.get(4)).tokens()).hasSize(3);
    }

    @Test
    void aLongPromptIsPrefilledInChunksWhileOthersDecode() throws InterruptedException {
        int[] golden = GoldenFiles.greedy().getFirst().outputTokenIds();   // continuation of a bare BOS
        int[] prompt = new int[41];                                        // BOS + 40 tokens: 3 chunks of <= 16
        prompt[0] = 1;
        System.arraycopy(golden, 0, prompt, 1, 40);
        TokenStream decoding = engine.submit(GenerationRequest.of("short", new int[] {1}, SamplingParams.GREEDY, 60));
        TokenStream longPrompt = engine.submit(GenerationRequest.of("long", prompt, SamplingParams.GREEDY, 30));
        assertThat(drain(longPrompt).ids()).containsExactly(java.util.Arrays.copyOfRange(golden, 40, 70));
        assertThat(drain(decoding).ids()).containsExactly(java.util.Arrays.copyOf(golden, 60));
    }

    @Test
    void stopStringEndsTheGenerationWithoutEmittingIt() throws InterruptedException {
        GoldenFiles.Greedy g = GoldenFiles.greedy().get(1); // "Once upon a time, there was a little girl named Lily."
        GenerationRequest r = new GenerationRequest("stop", g.promptTokenIds(), SamplingParams.GREEDY, 100,
                List.of("little g"), false, 0, -1);
        Run run = drain(engine.submit(r));
        assertThat(run.text()).isEqualTo(", there was a ");
        assertThat(run.finished().reason()).isEqualTo(FinishReason.STOP);
    }

    @Test
    void logprobsComeWithTopAlternatives() throws InterruptedException {
        GenerationRequest r = new GenerationRequest("lp", new int[] {1}, SamplingParams.GREEDY, 3, List.of(), false, 0, 4);
        Run run = drain(engine.submit(r));
        for (GenerationEvent.Token t : run.tokens()) {
            assertThat(t.topLogprobs()).hasSize(4);
            assertThat(t.topLogprobs().getFirst().id()).isEqualTo(t.id()); // greedy picks the most likely
            assertThat(t.logprob()).isEqualTo(t.topLogprobs().getFirst().logprob()).isNegative();
        }
        assertThat(run.tokens().getFirst().topLogprobs().getFirst().text()).isEqualTo(" Once");
    }

    @Test
    void sameSeedSameOutput() throws InterruptedException {
        SamplingParams p = SamplingParams.builder().temperature(1.0f).topP(0.9f).seed(1234L).build();
        int[] a = drain(engine.submit(GenerationRequest.of("a", new int[] {1}, p, 40))).ids();
        int[] b = drain(engine.submit(GenerationRequest.of("b", new int[] {1}, p, 40))).ids();
        int[] c = drain(engine.submit(GenerationRequest.of("c", new int[] {1},
                p.toBuilder().seed(99L).build(), 40))).ids();
        assertThat(a).containsExactly(b);
        assertThat(a).isNotEqualTo(c);
    }

    @Test
    void cancelEndsTheStreamAndFreesTheSequence() throws InterruptedException {
        TokenStream s = engine.submit(GenerationRequest.of("cancel", new int[] {1},
                SamplingParams.builder().seed(5L).build(), 400));
        assertThat(s.next()).isInstanceOf(GenerationEvent.Token.class);
        s.cancel();
        Run run = drain(s);
        assertThat(run.finished().reason()).isEqualTo(FinishReason.CANCELLED);
        assertThat(run.finished().usage().completionTokens()).isLessThan(400);
        assertThat(s.next()).isSameAs(run.terminal());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (engine.runningSequences() > 0 && System.nanoTime() < deadline) {
            Thread.onSpinWait(); // the loop publishes its counts right after the step that freed the cache
        }
        assertThat(engine.runningSequences()).isZero();
    }

    /** The loader's warm-up runs the kernels of every matrix type the model uses. */
    @Test
    void warmUpKernelsCoversTheModelsMatrixTypes() {
        assertThat(engine.model().weights().matrixTypes())
                .contains(engine.model().weights().tokenEmbedding().type(), engine.model().weights().output().type());
        engine.warmUpKernels();
    }

    @Test
    void badRequestsFailAtSubmit() {
        assertThatThrownBy(() -> engine.submit(GenerationRequest.of("long", new int[513], SamplingParams.GREEDY, 1)))
                .isInstanceOf(EngineException.InvalidRequest.class)
                .hasMessage("prompt of 513 tokens does not fit the context length of 512 tokens");
        assertThatThrownBy(() -> engine.submit(GenerationRequest.of("oov", new int[] {1, 512}, SamplingParams.GREEDY, 1)))
                .isInstanceOf(EngineException.InvalidRequest.class).hasMessageContaining("token id 512");
    }

    @Test
    void aFailingSequenceEndsAloneAndTheEngineGoesOn() throws InterruptedException {
        java.util.Map<Integer, Float> banAll = new java.util.HashMap<>();
        for (int id = 0; id < 512; id++) {
            banAll.put(id, Float.NEGATIVE_INFINITY);
        }
        TokenStream ok = engine.submit(GenerationRequest.of("ok", new int[] {1}, SamplingParams.GREEDY, 5));
        TokenStream bad = engine.submit(GenerationRequest.of("bad", new int[] {1},
                SamplingParams.builder().logitBias(banAll).seed(1L).build(), 5));
        GenerationEvent failed = drain(bad).terminal();
        assertThat(failed).isInstanceOf(GenerationEvent.Failed.class);
        assertThat(((GenerationEvent.Failed) failed).error()).isInstanceOf(EngineException.InvalidRequest.class)
                .hasMessage("logit_bias leaves no token to sample");
        assertThat(drain(ok).tokens()).hasSize(5);
        assertThat(drain(engine.submit(GenerationRequest.of("after", new int[] {1}, SamplingParams.GREEDY, 2)))
                .tokens()).hasSize(2);
    }

    @Test
    void endOfSequenceStopsUnlessIgnored() throws InterruptedException {
        SamplingParams forceEos = SamplingParams.builder().temperature(0).logitBias(java.util.Map.of(2, 100f)).build();
        Run stopped = drain(engine.submit(GenerationRequest.of("eos", new int[] {1, 403}, forceEos, 10)));
        assertThat(stopped.ids()).containsExactly(2);
        assertThat(stopped.text()).isEmpty();
        assertThat(stopped.finished().reason()).isEqualTo(FinishReason.STOP);
        assertThat(stopped.finished().usage().completionTokens()).isEqualTo(1);

        Run ignored = drain(engine.submit(new GenerationRequest("ignore", new int[] {1, 403}, forceEos, 4, List.of(),
                true, 0, -1)));
        assertThat(ignored.ids()).containsExactly(2, 2, 2, 2);
        assertThat(ignored.finished().reason()).isEqualTo(FinishReason.LENGTH);
    }

    @Test
    void zeroMaxTokensFinishesAtOnce() throws InterruptedException {
        Run run = drain(engine.submit(GenerationRequest.of("zero", new int[] {1}, SamplingParams.GREEDY, 0)));
        assertThat(run.tokens()).isEmpty();
        assertThat(run.finished().reason()).isEqualTo(FinishReason.LENGTH);
    }

    @Test
    void closeCancelsWhatIsStillRunningOrQueued() throws InterruptedException {
        LocalEngine other = LocalEngine.open(demoModel(), new EngineOptions(1, 1, 8, 0));
        TokenStream first = other.submit(GenerationRequest.of("a", new int[] {1}, SamplingParams.GREEDY, 500));
        TokenStream second = other.submit(GenerationRequest.of("b", new int[] {1}, SamplingParams.GREEDY, 500));
        assertThat(first.next()).isInstanceOf(GenerationEvent.Token.class);
        other.close();
        assertThat(drain(first).finished().reason()).isEqualTo(FinishReason.CANCELLED);
        assertThat(drain(second).finished().reason()).isEqualTo(FinishReason.CANCELLED);
        assertThatThrownBy(() -> other.submit(GenerationRequest.of("c", new int[] {1}, SamplingParams.GREEDY, 1)))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void describesTheModel() {
        ModelInfo info = engine.modelInfo();
        assertThat(info.architecture()).isEqualTo("llama");
        assertThat(info.contextLength()).isEqualTo(512);
        assertThat(info.vocabSize()).isEqualTo(512);
        assertThat(info.quantization()).isEqualTo("F32");
        assertThat(info.parameterCount()).isEqualTo(1_040_128 / 4);
    }
}
