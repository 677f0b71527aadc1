package dev.strata.engine.generate;

import dev.strata.engine.EngineException;
import java.util.List;

/** What a {@link TokenStream} yields: tokens as they are produced, then exactly one terminal event. */
public sealed interface GenerationEvent {

    /**
     * One generated token.
     *
     * @param text        the text this token completes (may be empty while a UTF-8 character or a
     *                    possible stop string is held back; held text arrives with a later token)
     * @param logprob     log-probability of the token (NaN when logprobs were not asked for)
     * @param topLogprobs the most likely alternatives, best first (empty when not asked for)
     */
    record Token(int id, String text, float logprob, List<TokenLogprob> topLogprobs) implements GenerationEvent {
        public Token {
            topLogprobs = List.copyOf(topLogprobs);
        }
    }

    /** The generation ended normally or was cancelled. */
    record Finished(FinishReason reason, Usage usage, Timings timings) implements GenerationEvent {}

    /** The generation failed; no more events follow. */
    record Failed(EngineException error) implements GenerationEvent {}

    /** True for the events after which a stream yields nothing more. */
    default boolean isTerminal() {
        return !(this instanceof Token);
    }

    /** A candidate token and its log-probability. */
    record TokenLogprob(int id, String text, float logprob) {}

    /** Why a generation ended. */
    enum FinishReason {
        /** An end-of-generation token or a stop string. */
        STOP,
        /** {@code maxTokens} or the context length reached. */
        LENGTH,
        /** The stream was cancelled (client gone, deadline passed). */
        CANCELLED
    }

    record Usage(int promptTokens, int completionTokens, int cachedPromptTokens) {
        public int totalTokens() {
            return promptTokens + completionTokens;
        }
    }

    /**
     * Nanosecond durations, all measured from submission: waiting in queue (until the first forward
     * pass that included the request), to the first token, and the whole generation; plus
     * {@code tokenNanos}, when each generated token was published, so inter-token latencies are
     * {@link #interTokenNanos()}.
     */
    record Timings(long queueNanos, long timeToFirstTokenNanos, long totalNanos, List<Long> tokenNanos) {
        public Timings {
            tokenNanos = List.copyOf(tokenNanos);
        }

        /** Without per-token times (an engine that does not keep them). */
        public Timings(long queueNanos, long timeToFirstTokenNanos, long totalNanos) {
            this(queueNanos, timeToFirstTokenNanos, totalNanos, List.of());
        }

        /** Gaps between consecutive tokens: {@code tokenNanos[i + 1] - tokenNanos[i]}; one fewer than the tokens. */
        public long[] interTokenNanos() {
            long[] gaps = new long[Math.max(0, tokenNanos.size() - 1)];
            for (int i = 0; i < gaps.length; i++) {
                gaps[i] = tokenNanos.get(i + 1) - tokenNanos.get(i);
            }
            return gaps;
        }
    }
}
