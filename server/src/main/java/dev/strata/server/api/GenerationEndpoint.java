package dev.strata.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import dev.strata.engine.generate.GenerationEvent;
import dev.strata.server.cost.PriceTable;
import dev.strata.server.inference.ChoiceEvent;
import dev.strata.server.inference.Generation;
import dev.strata.server.inference.InferenceService;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * The flow shared by {@code /v1/chat/completions} and {@code /v1/completions}: parse the body, name
 * the request, start the generation (cancelled when the client goes), then either collect it into one
 * response object or stream one chunk per token, a chunk per finish reason, the usage chunk when
 * asked (with {@code usage.cost_usd}: a streamed response's headers left before its cost was known),
 * then {@code [DONE]}. Subclasses supply only what differs: the request parser, the id prefix
 * and the shape of choices and chunks.
 *
 * @param <C> the choice type of the whole (non-streamed) response
 */
abstract class GenerationEndpoint<C> implements Endpoint {
    private final InferenceService inference;
    private final RequestIds ids;
    private final String idPrefix;
    private final Clock clock;
    private final PriceTable prices;

    GenerationEndpoint(InferenceService inference, RequestIds ids, String idPrefix, Clock clock, PriceTable prices) {
        this.prices = prices;
        this.inference = inference;
        this.ids = ids;
        this.idPrefix = idPrefix;
        this.clock = clock;
    }

    /** The request, from the JSON body. */
    abstract ApiRequest parse(JsonNode body);

    /** Choice {@code index} of the whole response. */
    abstract C choice(int index, Collected.Choice choice, Logprobs logprobs, ApiRequest request);

    /** The whole response object. */
    abstract Object response(Generation generation, long created, List<C> choices, ResponseShapes.Usage usage);

    /** The chunk writer of one stream; {@code usageField} is the {@code usage} value of every non-usage chunk. */
    abstract Chunks chunks(Generation generation, long created, Object usageField, Logprobs logprobs,
            ApiRequest request);

    /** The chunks of one streamed response. One instance per stream, so it may keep per-choice state. */
    interface Chunks {
        /** Chunks sent before any token. */
        default List<Object> opening() {
            return List.of();
        }

        /** The chunk for a token that is sent (non-empty text, or logprobs asked). */
        Object token(int index, GenerationEvent.Token token);

        /** Called after every token of choice {@code index}, sent or not. */
        default void advance(int index, GenerationEvent.Token token) {}

        /** The chunk carrying choice {@code index}'s finish reason. */
        Object finish(int index, String finishReason);

        /** The final usage chunk. */
        Object usage(ResponseShapes.Usage usage);
    }

    @Override
    public final void handle(Exchange exchange) throws Exception {
        ApiRequest request = parse(exchange.readJson());
        String id = ids.next(idPrefix);
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
        List<C> choices = new ArrayList<>();
        for (int i = 0; i < collected.choices().size(); i++) {
            choices.add(choice(i, collected.choices().get(i), logprobs, request));
        }
        TimingHeaders.add(exchange, collected.engineNanos());
        exchange.sendJson(200, response(generation, clock.instant().getEpochSecond(), choices,
                ResponseShapes.Usage.of(collected.promptTokens(), collected.completionTokens())));
    }

    private void stream(Exchange exchange, Generation generation, ApiRequest request)
            throws IOException, InterruptedException {
        long created = clock.instant().getEpochSecond();
        Object usageField = request.includeUsage() ? NullNode.instance : null;
        Logprobs logprobs = new Logprobs(generation.tokenizer());
        Chunks chunks = chunks(generation, created, usageField, logprobs, request);
        EventStream events = exchange.startEvents();
        for (Object chunk : chunks.opening()) {
            events.send(chunk);
        }
        int completionTokens = 0;
        while (!generation.done()) {
            ChoiceEvent ce = generation.next();
            switch (ce.event()) {
                case GenerationEvent.Token t -> {
                    if (!t.text().isEmpty() || request.logprobs()) {
                        events.send(chunks.token(ce.index(), t));
                    }
                    chunks.advance(ce.index(), t);
                }
                case GenerationEvent.Finished f -> {
                    completionTokens += f.usage().completionTokens();
                    events.send(chunks.finish(ce.index(), Collected.finishReason(f.reason())));
                }
                case GenerationEvent.Failed f -> throw f.error();
            }
        }
        if (request.includeUsage()) {
            // the cost header went out with the stream's headers, before the cost was known: the chunk carries it
            double cost = prices.costUsd(generation.model(), generation.promptTokens(), completionTokens);
            events.send(chunks.usage(ResponseShapes.Usage.of(generation.promptTokens(), completionTokens)
                    .withCostUsd(cost)));
        }
        events.done();
    }
}
