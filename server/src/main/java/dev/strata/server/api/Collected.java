package dev.strata.server.api;

import dev.strata.engine.generate.GenerationEvent;
import dev.strata.engine.generate.GenerationEvent.FinishReason;
import dev.strata.engine.generate.GenerationEvent.Token;
import dev.strata.server.inference.ChoiceEvent;
import dev.strata.server.inference.Generation;
import java.util.ArrayList;
import java.util.List;

/**
 * Every choice of a generation read to its end, for non-streaming responses.
 *
 * @param engineNanos from submitting to the engine until its last event arrived
 */
record Collected(List<Choice> choices, int promptTokens, int completionTokens, long engineNanos) {

    /** One finished choice: its text, its tokens (for logprobs), why it ended and the engine's timings. */
    record Choice(String text, List<Token> tokens, FinishReason reason, GenerationEvent.Timings timings) {}

    /** Reads {@code generation} to the end; a failed choice throws its engine exception. */
    static Collected from(Generation generation) throws InterruptedException {
        int count = generation.choiceCount();
        List<StringBuilder> texts = new ArrayList<>(count);
        List<List<Token>> tokens = new ArrayList<>(count);
        FinishReason[] reasons = new FinishReason[count];
        GenerationEvent.Timings[] timings = new GenerationEvent.Timings[count];
        for (int i = 0; i < count; i++) {
            texts.add(new StringBuilder());
            tokens.add(new ArrayList<>());
        }
        int completionTokens = 0;
        while (!generation.done()) {
            ChoiceEvent ce = generation.next();
            switch (ce.event()) {
                case Token t -> {
                    texts.get(ce.index()).append(t.text());
                    tokens.get(ce.index()).add(t);
                }
                case GenerationEvent.Finished f -> {
                    reasons[ce.index()] = f.reason();
                    timings[ce.index()] = f.timings();
                    completionTokens += f.usage().completionTokens();
                }
                case GenerationEvent.Failed f -> throw f.error();
            }
        }
        long engineNanos = System.nanoTime() - generation.submittedNanos();
        List<Choice> choices = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            choices.add(new Choice(texts.get(i).toString(), tokens.get(i), reasons[i], timings[i]));
        }
        return new Collected(choices, generation.promptTokens(), completionTokens, engineNanos);
    }

    /** OpenAI's name for a finish reason. */
    static String finishReason(FinishReason reason) {
        return switch (reason) {
            case STOP -> "stop";
            case LENGTH -> "length";
            case CANCELLED -> "cancelled";
        };
    }
}
