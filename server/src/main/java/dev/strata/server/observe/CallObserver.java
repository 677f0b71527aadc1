package dev.strata.server.observe;

import dev.strata.engine.generate.GenerationEvent;
import dev.strata.server.cost.PriceTable;
import dev.strata.server.cost.UsageEntry;
import dev.strata.server.cost.UsageStore;
import dev.strata.server.inference.ChoiceEvent;
import dev.strata.server.inference.InferenceCall;
import dev.strata.server.inference.InferenceListener;
import dev.strata.server.inference.ObservedRequest;
import dev.strata.server.inference.Prompt;
import dev.strata.server.metrics.EngineMetrics;
import dev.strata.server.metrics.GatewayMetrics;
import dev.strata.server.store.StoreException;
import dev.strata.server.trace.RequestTracer;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import java.time.Clock;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * Hears every call the inference service runs and turns it into vLLM metrics (per engine request),
 * inter-token latencies, the stage spans of the request's trace (parse, admission, and per choice
 * queue, prefill, decode), and — once every choice has ended — its cost: the
 * {@code x-strata-cost-usd} header (when the response has not started yet), the cost and token
 * counters, and a usage entry. gRPC calls and WebSocket messages {@link #open open} a request of
 * their own and get the same spans; calls started outside any request (in-process) are counted
 * the same, under the tenant {@code default}, without spans.
 */
final class CallObserver implements InferenceListener {
    static final String COST_HEADER = "x-strata-cost-usd";
    static final String DEFAULT_TENANT = "default";
    private static final System.Logger LOG = System.getLogger(CallObserver.class.getName());

    private final ScopedValue<RequestScope> current;
    private final EngineMetrics engineMetrics;
    private final GatewayMetrics gatewayMetrics;
    private final PriceTable prices;
    private final UsageStore usage;
    private final RequestTracer tracer;
    private final Clock clock;
    private final LongSupplier nanoTime;
    private final boolean keepPrompts;
    private final dev.strata.server.log.JsonLog log;

    /** @param log where gRPC calls and WebSocket messages write their request line */
    CallObserver(ScopedValue<RequestScope> current, Meters meters, PriceTable prices, UsageStore usage,
            RequestTracer tracer, Clocks clocks, boolean keepPrompts, dev.strata.server.log.JsonLog log) {
        this.current = current;
        this.log = log;
        this.engineMetrics = meters.engine();
        this.gatewayMetrics = meters.gateway();
        this.prices = prices;
        this.usage = usage;
        this.tracer = tracer;
        this.clock = clocks.wall();
        this.nanoTime = clocks.nanoTime();
        this.keepPrompts = keepPrompts;
    }

    /** The metric sets a call is recorded in. */
    record Meters(EngineMetrics engine, GatewayMetrics gateway) {}

    /** Wall clock (usage days) and monotonic clock (latencies). */
    record Clocks(Clock wall, LongSupplier nanoTime) {}

    @Override
    public CallListener started(CallStarted call) {
        RequestScope scope = current.isBound() ? current.get() : null;
        if (scope != null) {
            scope.callId = call.id();
            if (call.tenant() != null) {
                scope.tenant = call.tenant(); // a key's tenant, not what the client's header claims
            }
            scope.model = call.model();
            scope.promptTokens = call.promptTokens();
            if (keepPrompts) {
                scope.prompt = promptForLog(call.call().prompt());
            }
            tracer.stage(scope.span, "strata.parse", scope.receivedNanos, call.enteredNanos(), Attributes.empty());
            tracer.stage(scope.span, "strata.admission", call.enteredNanos(), call.admittedNanos(), Attributes.of(
                    AttributeKey.stringKey("strata.route.model"), call.model(),
                    AttributeKey.stringKey("strata.admission.decision"), "admitted"));
            scope.span.setAttribute("gen_ai.request.model", call.model());
            scope.span.setAttribute("strata.request.id", call.id());
        }
        return new Tracker(call, scope);
    }

    @Override
    public void rejected(String model, String reason) {
        String code = rejectCode(reason);
        gatewayMetrics.rejected(model, code);
        if (current.isBound()) {
            RequestScope scope = current.get();
            scope.model = model;
            scope.rejectReason = code;
            scope.span.setAttribute("strata.admission.decision", "rejected");
            scope.span.setAttribute("strata.admission.reason", code);
        }
    }

    /**
     * A gRPC call or WebSocket message: a server span continuing the {@code traceparent} of
     * {@code headers}, the tenant from {@code x-strata-tenant} as for HTTP.
     */
    @Override
    public ObservedRequest open(String name, String transport, Function<String, String> headers) {
        long received = nanoTime.getAsLong();
        Function<String, String> h = headers == null ? k -> null : headers;
        Span span = tracer.startRequest(name, h, received);
        span.setAttribute("network.protocol.name", transport);
        if ("grpc".equals(transport)) {
            span.setAttribute("rpc.system", "grpc");
            span.setAttribute("rpc.method", name);
        }
        String tenant = h.apply(ObservingHandler.TENANT_HEADER);
        RequestScope scope = new RequestScope(transport, name, tenant == null ? DEFAULT_TENANT : tenant, received,
                span, null);
        return new TransportRequest(current, scope, tracer, nanoTime, gatewayMetrics, log);
    }

    /** Every value {@link #rejectCode} returns. */
    static final java.util.List<String> REJECT_CODES = java.util.List.of("concurrency", "rate_limit", "quota",
            "queue_full", "other");

    /**
     * A short label for a reject's free-text reason. Admission states reasons for people; the label
     * keeps the metric's cardinality bounded.
     */
    static String rejectCode(String reason) {
        String r = reason == null ? "" : reason.toLowerCase(Locale.ROOT);
        if (r.contains("quota") || r.contains("budget")) {
            return "quota";
        }
        if (r.contains("rate") || r.contains("per minute")) {
            return "rate_limit";
        }
        if (r.contains("queue")) {
            return "queue_full";
        }
        if (r.contains("limit") || r.contains("concurren")) {
            return "concurrency";
        }
        return "other";
    }

    private static Object promptForLog(Prompt prompt) {
        return switch (prompt) {
            case Prompt.Texts t -> t.texts();
            case Prompt.Tokens t -> t.prompts().stream().map(Arrays::toString).toList();
            case Prompt.Chat c -> c.messages().stream().map(String::valueOf).toList();
        };
    }

    /** One call's events; touched only by the thread reading its generation. */
    private final class Tracker implements CallListener {
        private final CallStarted call;
        private final RequestScope scope;
        private final long[] lastTokenNanos;
        private int open;
        private long completionTokens;
        private boolean settled;

        Tracker(CallStarted call, RequestScope scope) {
            this.call = call;
            this.scope = scope;
            InferenceCall c = call.call();
            this.lastTokenNanos = new long[c.choiceCount()];
            this.open = c.choiceCount();
        }

        @Override
        public void onEvent(ChoiceEvent event) {
            int i = event.index();
            switch (event.event()) {
                case GenerationEvent.Token t -> {
                    long now = nanoTime.getAsLong();
                    if (lastTokenNanos[i] != 0) {
                        engineMetrics.interTokenLatency(call.model(), now - lastTokenNanos[i]);
                    }
                    lastTokenNanos[i] = now;
                    completionTokens++;
                }
                case GenerationEvent.Finished f -> {
                    engineMetrics.finished(call.model(), f);
                    choiceEnded(i, f);
                }
                case GenerationEvent.Failed f -> choiceEnded(i, null);
            }
        }

        private void choiceEnded(int index, GenerationEvent.Finished f) {
            if (scope != null) {
                String reason = f == null ? "error" : FinishReasons.finishReason(f.reason());
                scope.addFinishReason(reason);
                if (f != null) {
                    stageSpans(index, f);
                    if (scope.timeToFirstTokenNanos == null && f.timings().timeToFirstTokenNanos() > 0) {
                        scope.timeToFirstTokenNanos = f.timings().timeToFirstTokenNanos();
                    }
                }
            }
            if (--open == 0) {
                settle();
            }
        }

        /** Queue, prefill and decode of one choice, from the engine's timings (relative to submit). */
        private void stageSpans(int index, GenerationEvent.Finished f) {
            GenerationEvent.Timings t = f.timings();
            long submit = call.submittedNanos();
            long queued = submit + t.queueNanos();
            long first = t.timeToFirstTokenNanos() > 0 ? submit + t.timeToFirstTokenNanos() : submit + t.totalNanos();
            long end = submit + t.totalNanos();
            AttributeKey<Long> choice = AttributeKey.longKey("strata.choice");
            tracer.stage(scope.span, "strata.queue", submit, queued, Attributes.of(choice, (long) index));
            tracer.stage(scope.span, "strata.prefill", queued, first, Attributes.of(choice, (long) index,
                    AttributeKey.longKey("gen_ai.usage.input_tokens"), (long) f.usage().promptTokens()));
            tracer.stage(scope.span, "strata.decode", first, end, Attributes.of(choice, (long) index,
                    AttributeKey.longKey("gen_ai.usage.output_tokens"), (long) f.usage().completionTokens(),
                    AttributeKey.stringKey("gen_ai.response.finish_reason"),
                    FinishReasons.finishReason(f.reason())));
        }

        @Override
        public void closed() {
            settle(); // abandoned before every choice ended: bill what was produced
        }

        /** Prices the call once and records its usage everywhere. */
        private void settle() {
            if (settled) {
                return;
            }
            settled = true;
            String tenant = call.tenant() != null ? call.tenant() : scope != null ? scope.tenant : DEFAULT_TENANT;
            long promptTokens = call.promptTokens();
            double cost = prices.costUsd(call.model(), promptTokens, completionTokens);
            gatewayMetrics.usage(tenant, call.model(), promptTokens, completionTokens, cost);
            try {
                usage.add(new UsageEntry(tenant, call.model(), clock.instant(), promptTokens, completionTokens, cost));
            } catch (StoreException e) { // the answer is already on its way; the metrics above still count it
                LOG.log(System.Logger.Level.ERROR, "usage of " + call.id() + " was not stored", e);
            }
            if (scope != null) {
                scope.completionTokens = completionTokens;
                scope.costUsd = cost;
                scope.span.setAttribute("gen_ai.usage.input_tokens", promptTokens);
                scope.span.setAttribute("gen_ai.usage.output_tokens", completionTokens);
                scope.span.setAttribute("strata.cost_usd", cost);
                if (scope.response != null && !scope.response.isCommitted()) {
                    scope.response.getHeaders().put(COST_HEADER, formatUsd(cost));
                }
            }
        }
    }

    /** Dollars with enough digits for a one-token call on a cheap model, no exponent. */
    static String formatUsd(double usd) {
        return new java.math.BigDecimal(usd).setScale(10, java.math.RoundingMode.HALF_UP).stripTrailingZeros()
                .toPlainString();
    }
}
