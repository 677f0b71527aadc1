package dev.strata.server.api;

import dev.strata.engine.generate.GenerationEvent;
import dev.strata.server.inference.ChoiceEvent;
import dev.strata.server.inference.Generation;
import dev.strata.server.inference.InferenceService;
import dev.strata.server.registry.ModelRegistry;
import java.io.IOException;

/**
 * {@code POST /v1/generate}, Strata's native endpoint: {@code {"model","prompt","temperature","top_p",
 * "max_tokens","stream"}} (plus the other sampling fields). Whole: {@code {"id","model","text",
 * "finish_reason","usage":{"input_tokens","output_tokens"},"timings":{"queue_ms","ttft_ms","total_ms",
 * "itl_ms":[…]}}}. Streamed: server-sent events {@code {"type":"token","token":…}} …
 * {@code {"type":"done","finish_reason",…,"usage":{…},"timings":{…}}}.
 */
final class GenerateEndpoint implements Endpoint {
    private final CallParser parser;
    private final InferenceService inference;
    private final ModelRegistry registry;
    private final RequestIds ids;

    GenerateEndpoint(CallParser parser, InferenceService inference, ModelRegistry registry, RequestIds ids) {
        this.parser = parser;
        this.inference = inference;
        this.registry = registry;
        this.ids = ids;
    }

    @Override
    public void handle(Exchange exchange) throws Exception {
        ApiRequest request = parser.generate(exchange.readJson(), registry.all().getFirst().id());
        String id = ids.next("gen-");
        try (Generation generation = inference.start(id, request.call(), exchange.record())) {
            exchange.onClientGone(generation::cancel);
            if (request.stream()) {
                stream(exchange, generation);
            } else {
                Collected collected = Collected.from(generation);
                Collected.Choice c = collected.choices().getFirst();
                TimingHeaders.add(exchange, collected.engineNanos());
                exchange.sendJson(200, new ResponseShapes.GenerateResult(id, generation.model(), c.text(),
                        Collected.finishReason(c.reason()), new ResponseShapes.NativeUsage(collected.promptTokens(),
                        collected.completionTokens()), ResponseShapes.NativeTimings.of(c.timings())));
            }
        }
    }

    private static void stream(Exchange exchange, Generation generation) throws IOException, InterruptedException {
        EventStream events = exchange.startEvents();
        while (!generation.done()) {
            ChoiceEvent ce = generation.next();
            switch (ce.event()) {
                case GenerationEvent.Token t -> {
                    if (!t.text().isEmpty()) {
                        events.send(new ResponseShapes.TokenEvent("token", t.text()));
                    }
                }
                case GenerationEvent.Finished f -> events.send(new ResponseShapes.DoneEvent("done",
                        Collected.finishReason(f.reason()), new ResponseShapes.NativeUsage(
                        f.usage().promptTokens(), f.usage().completionTokens()),
                        ResponseShapes.NativeTimings.of(f.timings())));
                case GenerationEvent.Failed f -> throw f.error();
            }
        }
        events.end();
    }
}
