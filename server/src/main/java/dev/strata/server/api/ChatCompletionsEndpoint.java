package dev.strata.server.api;

import com.fasterxml.jackson.databind.node.NullNode;
import dev.strata.engine.generate.GenerationEvent;
import dev.strata.server.inference.ChoiceEvent;
import dev.strata.server.inference.Generation;
import dev.strata.server.inference.InferenceService;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code POST /v1/chat/completions} (https://platform.openai.com/docs/api-reference/chat/create):
 * one {@code chat.completion} object, or with {@code stream} a sequence of
 * {@code chat.completion.chunk}s — a role chunk per choice, a content chunk per token, a chunk with
 * the finish reason, the usage chunk when asked, then {@code [DONE]}.
 */
final class ChatCompletionsEndpoint implements Endpoint {
    private final CallParser parser;
    private final InferenceService inference;
    private final RequestIds ids;
    private final Clock clock;
    private final String fingerprint;

    ChatCompletionsEndpoint(CallParser parser, InferenceService inference, RequestIds ids, Clock clock,
            String fingerprint) {
        this.parser = parser;
        this.inference = inference;
        this.ids = ids;
        this.clock = clock;
        this.fingerprint = fingerprint;
    }

    @Override
    public void handle(Exchange exchange) throws Exception {
        ApiRequest request = parser.chat(exchange.readJson());
        String id = ids.next("chatcmpl-");
        try (Generation generation = inference.start(id, request.call(), exchange.record())) {
            exchange.onClientGone(generation::cancel);
            if (request.stream()) {
                stream(exchange, generation, request);
            } else {
                whole(exchange, generation, request);
            }
        }
    }

    private void whole(Exchange exchange, Generation generation, ApiRequest request)
            throws IOException, InterruptedException {
        Collected collected = Collected.from(generation);
        Logprobs logprobs = new Logprobs(generation.tokenizer());
        List<ResponseShapes.ChatChoice> choices = new ArrayList<>();
        for (int i = 0; i < collected.choices().size(); i++) {
            Collected.Choice c = collected.choices().get(i);
            choices.add(new ResponseShapes.ChatChoice(i,
                    new ResponseShapes.AssistantMessage("assistant", c.text(), null),
                    request.logprobs() ? logprobs.chat(c.tokens()) : null, Collected.finishReason(c.reason())));
        }
        TimingHeaders.add(exchange, collected.engineNanos());
        exchange.sendJson(200, new ResponseShapes.ChatCompletion(generation.id(), "chat.completion",
                clock.instant().getEpochSecond(), generation.model(), choices,
                ResponseShapes.Usage.of(collected.promptTokens(), collected.completionTokens()), fingerprint));
    }

    private void stream(Exchange exchange, Generation generation, ApiRequest request)
            throws IOException, InterruptedException {
        long created = clock.instant().getEpochSecond();
        Object usageField = request.includeUsage() ? NullNode.instance : null;
        Logprobs logprobs = new Logprobs(generation.tokenizer());
        EventStream events = exchange.startEvents();
        for (int i = 0; i < generation.choiceCount(); i++) {
            events.send(chunk(generation, created, usageField, new ResponseShapes.ChatChunkChoice(i,
                    new ResponseShapes.Delta("assistant", ""), null, null)));
        }
        int completionTokens = 0;
        while (!generation.done()) {
            ChoiceEvent ce = generation.next();
            switch (ce.event()) {
                case GenerationEvent.Token t -> {
                    if (!t.text().isEmpty() || request.logprobs()) {
                        events.send(chunk(generation, created, usageField, new ResponseShapes.ChatChunkChoice(
                                ce.index(), new ResponseShapes.Delta(null, t.text()),
                                request.logprobs() ? logprobs.chat(List.of(t)) : null, null)));
                    }
                }
                case GenerationEvent.Finished f -> {
                    completionTokens += f.usage().completionTokens();
                    events.send(chunk(generation, created, usageField, new ResponseShapes.ChatChunkChoice(
                            ce.index(), new ResponseShapes.Delta(null, null), null,
                            Collected.finishReason(f.reason()))));
                }
                case GenerationEvent.Failed f -> throw f.error();
            }
        }
        if (request.includeUsage()) {
            events.send(new ResponseShapes.ChatChunk(generation.id(), "chat.completion.chunk", created,
                    generation.model(), fingerprint, List.of(),
                    ResponseShapes.Usage.of(generation.promptTokens(), completionTokens)));
        }
        events.done();
    }

    private ResponseShapes.ChatChunk chunk(Generation generation, long created, Object usage,
            ResponseShapes.ChatChunkChoice choice) {
        return new ResponseShapes.ChatChunk(generation.id(), "chat.completion.chunk", created, generation.model(),
                fingerprint, List.of(choice), usage);
    }
}
