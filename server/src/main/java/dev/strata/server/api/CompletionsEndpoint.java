package dev.strata.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.engine.generate.GenerationEvent;
import dev.strata.server.inference.Generation;
import dev.strata.server.cost.PriceTable;
import dev.strata.server.inference.InferenceService;
import java.time.Clock;
import java.util.List;

/**
 * {@code POST /v1/completions} (https://platform.openai.com/docs/api-reference/completions/create):
 * one {@code text_completion} object, or with {@code stream} one {@code text_completion} chunk per
 * token, a chunk with the finish reason, the usage chunk when asked, then {@code [DONE]}. With an
 * array of prompts, choice {@code p * n + i} is the {@code i}-th choice of prompt {@code p}. The flow
 * is {@link GenerationEndpoint}'s; this class gives the completion shapes.
 */
final class CompletionsEndpoint extends GenerationEndpoint<ResponseShapes.CompletionChoice> {
    private final CallParser parser;
    private final String fingerprint;

    /** @param prices what the streamed usage chunk's {@code cost_usd} is priced from */
    CompletionsEndpoint(CallParser parser, InferenceService inference, RequestIds ids, Clock clock,
            String fingerprint, PriceTable prices) {
        super(inference, ids, "cmpl-", clock, prices);
        this.parser = parser;
        this.fingerprint = fingerprint;
    }

    @Override
    ApiRequest parse(JsonNode body) {
        return parser.completion(body);
    }

    @Override
    ResponseShapes.CompletionChoice choice(int index, Collected.Choice c, Logprobs logprobs, ApiRequest request) {
        return new ResponseShapes.CompletionChoice(c.text(), index,
                request.logprobs() ? logprobs.completion(c.tokens(), 0) : null, Collected.finishReason(c.reason()));
    }

    @Override
    Object response(Generation generation, long created, List<ResponseShapes.CompletionChoice> choices,
            ResponseShapes.Usage usage) {
        return new ResponseShapes.Completion(generation.id(), "text_completion", created, generation.model(),
                choices, usage, fingerprint);
    }

    @Override
    Chunks chunks(Generation generation, long created, Object usageField, Logprobs logprobs, ApiRequest request) {
        int[] textOffsets = new int[generation.choiceCount()];
        return new Chunks() {
            @Override
            public Object token(int index, GenerationEvent.Token t) {
                return chunk(new ResponseShapes.CompletionChoice(t.text(), index,
                        request.logprobs() ? logprobs.completion(List.of(t), textOffsets[index]) : null, null));
            }

            @Override
            public void advance(int index, GenerationEvent.Token t) {
                textOffsets[index] += t.text().length();
            }

            @Override
            public Object finish(int index, String finishReason) {
                return chunk(new ResponseShapes.CompletionChoice("", index, null, finishReason));
            }

            @Override
            public Object usage(ResponseShapes.Usage usage) {
                return new ResponseShapes.Completion(generation.id(), "text_completion", created,
                        generation.model(), List.of(), usage, fingerprint);
            }

            private ResponseShapes.Completion chunk(ResponseShapes.CompletionChoice choice) {
                return new ResponseShapes.Completion(generation.id(), "text_completion", created,
                        generation.model(), List.of(choice), usageField, fingerprint);
            }
        };
    }
}
