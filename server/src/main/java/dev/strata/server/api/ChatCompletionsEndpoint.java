package dev.strata.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.engine.generate.GenerationEvent;
import dev.strata.server.inference.Generation;
import dev.strata.server.cost.PriceTable;
import dev.strata.server.inference.InferenceService;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code POST /v1/chat/completions} (https://platform.openai.com/docs/api-reference/chat/create):
 * one {@code chat.completion} object, or with {@code stream} a sequence of
 * {@code chat.completion.chunk}s — a role chunk per choice, a content chunk per token, a chunk with
 * the finish reason, the usage chunk when asked, then {@code [DONE]}. The flow is
 * {@link GenerationEndpoint}'s; this class gives the chat shapes.
 */
final class ChatCompletionsEndpoint extends GenerationEndpoint<ResponseShapes.ChatChoice> {
    private final CallParser parser;
    private final String fingerprint;

    /** @param prices what the streamed usage chunk's {@code cost_usd} is priced from */
    ChatCompletionsEndpoint(CallParser parser, InferenceService inference, RequestIds ids, Clock clock,
            String fingerprint, PriceTable prices) {
        super(inference, ids, "chatcmpl-", clock, prices);
        this.parser = parser;
        this.fingerprint = fingerprint;
    }

    @Override
    ApiRequest parse(JsonNode body) {
        return parser.chat(body);
    }

    @Override
    ResponseShapes.ChatChoice choice(int index, Collected.Choice c, Logprobs logprobs, ApiRequest request) {
        return new ResponseShapes.ChatChoice(index, new ResponseShapes.AssistantMessage("assistant", c.text(), null),
                request.logprobs() ? logprobs.chat(c.tokens()) : null, Collected.finishReason(c.reason()));
    }

    @Override
    Object response(Generation generation, long created, List<ResponseShapes.ChatChoice> choices,
            ResponseShapes.Usage usage) {
        return new ResponseShapes.ChatCompletion(generation.id(), "chat.completion", created, generation.model(),
                choices, usage, fingerprint);
    }

    @Override
    Chunks chunks(Generation generation, long created, Object usageField, Logprobs logprobs, ApiRequest request) {
        return new Chunks() {
            @Override
            public List<Object> opening() {
                List<Object> roles = new ArrayList<>();
                for (int i = 0; i < generation.choiceCount(); i++) {
                    roles.add(chunk(new ResponseShapes.ChatChunkChoice(i,
                            new ResponseShapes.Delta("assistant", ""), null, null)));
                }
                return roles;
            }

            @Override
            public Object token(int index, GenerationEvent.Token t) {
                return chunk(new ResponseShapes.ChatChunkChoice(index, new ResponseShapes.Delta(null, t.text()),
                        request.logprobs() ? logprobs.chat(List.of(t)) : null, null));
            }

            @Override
            public Object finish(int index, String finishReason) {
                return chunk(new ResponseShapes.ChatChunkChoice(index, new ResponseShapes.Delta(null, null), null,
                        finishReason));
            }

            @Override
            public Object usage(ResponseShapes.Usage usage) {
                return new ResponseShapes.ChatChunk(generation.id(), "chat.completion.chunk", created,
                        generation.model(), fingerprint, List.of(), usage);
            }

            private ResponseShapes.ChatChunk chunk(ResponseShapes.ChatChunkChoice choice) {
                return new ResponseShapes.ChatChunk(generation.id(), "chat.completion.chunk", created,
                        generation.model(), fingerprint, List.of(choice), usageField);
            }
        };
    }
}
