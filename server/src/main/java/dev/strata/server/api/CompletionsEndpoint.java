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
 * {@code POST /v1/completions} (https://platform.openai.com/docs/api-reference/completions/create):
 * one {@code text_completion} object, or with {@code stream} one {@code text_completion} chunk per
 * token, a chunk with the finish reason, the usage chunk when asked, then {@code [DONE]}. With an
 * array of prompts, choice {@code p * n + i} is the {@code i}-th choice of prompt {@code p}.
 */
final class CompletionsEndpoint implements Endpoint {
    private final CallParser parser;
    private final InferenceService inference;
    private final RequestIds ids;
    private final Clock clock;
    private final String fingerprint;

    CompletionsEndpoint(CallParser parser, InferenceService inference, RequestIds ids, Clock clock,
            String fingerprint) {
        this.parser = parser;
        this.inference = inference;
        this.ids = ids;
        this.clock = clock;
        this.fingerprint = fingerprint;
    }

    @Override
    public void handle(Exchange exchange) throws Exception {
        ApiRequest request = parser.completion(exchange.readJson());
        String id = ids.next("cmpl-");
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
        List<ResponseShapes.CompletionChoice> choices = new ArrayList<>();
        for (int i = 0; i < collected.choices().size(); i++) {
            Collected.Choice c = collected.choices().get(i);
            choices.add(new ResponseShapes.CompletionChoice(c.text(), i,
                    request.logprobs() ? logprobs.completion(c.tokens(), 0) : null,
                    Collected.finishReason(c.reason())));
        }
        TimingHeaders.add(exchange, collected.engineNanos());
        exchange.sendJson(200, new ResponseShapes.Completion(generation.id(), "text_completion",
                clock.instant().getEpochSecond(), generation.model(), choices,
                ResponseShapes.Usage.of(collected.promptTokens(), collected.completionTokens()), fingerprint));
    }

    private void stream(Exchange exchange, Generation generation, ApiRequest request)
            throws IOException, InterruptedException {
        long created = clock.instant().getEpochSecond();
        Object usageField = request.includeUsage() ? NullNode.instance : null;
        Logprobs logprobs = new Logprobs(generation.tokenizer());
        int[] textOffsets = new int[generation.choiceCount()];
        EventStream events = exchange.startEvents();
        int completionTokens = 0;
        while (!generation.done()) {
            ChoiceEvent ce = generation.next();
            switch (ce.event()) {
                case GenerationEvent.Token t -> {
                    if (!t.text().isEmpty() || request.logprobs()) {
                        events.send(chunk(generation, created, usageField, new ResponseShapes.CompletionChoice(
                                t.text(), ce.index(),
                                request.logprobs() ? logprobs.completion(List.of(t), textOffsets[ce.index()]) : null,
                                null)));
                    }
                    textOffsets[ce.index()] += t.text().length();
                }
                case GenerationEvent.Finished f -> {
                    completionTokens += f.usage().completionTokens();
                    events.send(chunk(generation, created, usageField, new ResponseShapes.CompletionChoice(
                            "", ce.index(), null, Collected.finishReason(f.reason()))));
                }
                case GenerationEvent.Failed f -> throw f.error();
            }
        }
        if (request.includeUsage()) {
            events.send(new ResponseShapes.Completion(generation.id(), "text_completion", created,
                    generation.model(), List.of(), ResponseShapes.Usage.of(generation.promptTokens(),
                    completionTokens), fingerprint));
        }
        events.done();
    }

    private ResponseShapes.Completion chunk(Generation generation, long created, Object usage,
            ResponseShapes.CompletionChoice choice) {
        return new ResponseShapes.Completion(generation.id(), "text_completion", created, generation.model(),
                List.of(choice), usage, fingerprint);
    }
}
