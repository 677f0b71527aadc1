package dev.strata.server.route;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.server.backend.Answers;
import dev.strata.server.backend.Backend;
import dev.strata.server.backend.BackendResult;
import dev.strata.server.backend.Failure;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;

/**
 * Serves one call on its route: picks the chain (canary or primary), runs it through
 * {@link Fallback} or the route's {@link Cascade}, mirrors it to the shadow, and says in
 * {@code x-strata-route} what happened: {@code route=R; target=T; tier=i/n; canary=C; trail=a:x,b:ok}.
 */
final class Router {
    /** Where a streamed answer goes; the first call commits the response with {@code routeHeader}. */
    interface StreamOut {
        boolean chunk(String routeHeader, ObjectNode chunk);
    }

    /**
     * The answer (for a stream: assembled) or the failure, with the route header and the tier that
     * answered: {@code primary}, {@code canary} or a cascade's {@code i/n}.
     */
    record Served(BackendResult result, String routeHeader, String tier) {}

    private final Fallback fallback;
    private final Shadow shadow;
    private final RandomGenerator random;
    private final LongSupplier nanoClock;
    private final ObjectMapper json;
    private final Hedge hedge;

    Router(Fallback fallback, Shadow shadow, RandomGenerator random, LongSupplier nanoClock, ObjectMapper json,
            Hedge hedge) {
        this.hedge = hedge;
        this.fallback = fallback;
        this.shadow = shadow;
        this.random = random;
        this.nanoClock = nanoClock;
        this.json = json;
    }

    /**
     * @param out where chunks go when the client asked to stream, else {@code null}
     */
    Served serve(RouteTable table, String routeName, ObjectNode body, RequestFeatures features,
            Map<String, Double> canaryWeights, StreamOut out) throws InterruptedException {
        RoutesConfig.RouteSpec route = table.routes.get(routeName);
        long start = nanoClock.getAsLong();
        Shadow.Mirror mirror = Shadow.Mirror.NONE;
        if (route.shadow() != null && random.nextDouble() * 100 < route.shadow().percent()) {
            mirror = shadow.start(routeName, table.backends.get(route.shadow().target()), body);
        }
        Served served;
        Cascade cascade = table.cascades.get(routeName);
        if (cascade != null) {
            served = cascade.spec().mode() == RoutesConfig.CascadeMode.EARLY
                    ? early(table, route, cascade, body, out) : full(table, route, cascade, body, out);
        } else {
            List<String> names = new ArrayList<>(route.targets());
            String canary = null;
            if (route.canary() != null) {
                double weight = canaryWeights.getOrDefault(routeName, route.canary().weightPercent());
                String key = route.canary().sticky() == RoutesConfig.Sticky.TENANT ? features.tenant() : features.user();
                if (Canary.chosen(routeName, key, weight, random.nextDouble())) {
                    canary = route.canary().target();
                    names.remove(canary);
                    names.addFirst(canary);
                }
            }
            String prefix = "route=" + routeName + (canary != null ? "; canary=" + canary : "");
            served = chain(table, route, table.chain(names), body, out, prefix, canary);
        }
        if (served.result() instanceof BackendResult.Answered a) {
            mirror.primaryDone(a.body(), nanoClock.getAsLong() - start);
        }
        return served;
    }

    /** @param canary the canary target tried first, or {@code null} */
    private Served chain(RouteTable table, RoutesConfig.RouteSpec route, List<Backend> chain, ObjectNode body,
            StreamOut out, String prefix, String canary) throws InterruptedException {
        String[] current = {""};
        boolean[] hedged = {false};
        long hedgeNanos = route.hedgeAfterMillis() * 1_000_000;
        Fallback.Outcome o = fallback.run(chain, route.retry(), table.budgets.get(route.name()), b -> {
            current[0] = b.name();
            if (hedgeNanos > 0) {
                // the hedge goes to the next target of the chain (a pool picks another replica itself)
                Backend alt = chain.get((chain.indexOf(b) + 1) % chain.size());
                Hedge.Sink sink = out == null ? null : (from, h, chunk) -> out.chunk(prefix
                        + (h || hedged[0] ? "; hedged=true" : "") + "; target=" + from.name(), chunk);
                try {
                    Hedge.Outcome h = hedge.run(b, alt, hedgeNanos, body, sink);
                    hedged[0] |= h.hedged();
                    return h.result();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return BackendResult.Failed.of(Failure.CANCELLED, "interrupted", b.name());
                }
            }
            return out == null ? b.complete(body)
                    : b.stream(body, chunk -> out.chunk(prefix + "; target=" + current[0], chunk));
        });
        String by = o.result() == null ? "" : o.result().servedBy();
        boolean fromCanary = canary != null && (by.equals(canary) || by.startsWith(canary + "/"));
        return new Served(o.result(), header(prefix + (hedged[0] ? "; hedged=true" : ""), o),
                fromCanary ? "canary" : "primary");
    }

    private static String header(String prefix, Fallback.Outcome o) {
        String target = o.result() == null ? "none" : o.result().servedBy();
        return prefix + "; target=" + target + "; trail=" + String.join(",", o.trail());
    }

    /** Each tier answers whole; escalate on the verdict; a streaming client gets the accepted answer replayed. */
    private Served full(RouteTable table, RoutesConfig.RouteSpec route, Cascade cascade, ObjectNode body,
            StreamOut out) throws InterruptedException {
        boolean clientLogprobs = body.path("logprobs").asBoolean(false);
        ObjectNode asked = body.deepCopy();
        if (cascade.needsLogprobs()) {
            asked.put("logprobs", true);
        }
        List<String> tiers = cascade.spec().tiers();
        List<String> trail = new ArrayList<>();
        String escalated = "";
        Served last = null;
        for (int i = 0; i < tiers.size(); i++) {
            Fallback.Outcome o = fallback.run(table.chain(List.of(tiers.get(i))), route.retry(),
                    table.budgets.get(route.name()), b -> b.complete(asked));
            trail.addAll(o.trail());
            String prefix = "route=" + route.name() + "; tier=" + (i + 1) + "/" + tiers.size() + escalated;
            last = new Served(o.result(), header(prefix, new Fallback.Outcome(o.result(), trail)),
                    (i + 1) + "/" + tiers.size());
            if (o.result() instanceof BackendResult.Answered a) {
                Cascade.Verdict v = i == tiers.size() - 1 ? Cascade.Verdict.ACCEPT : cascade.judge(a.body());
                if (!v.escalate()) {
                    if (!clientLogprobs) {
                        stripLogprobs(a.body()); // the upstream's bytes no longer match: drop them
                        last = new Served(new BackendResult.Answered(a.body(), a.servedBy()), last.routeHeader(),
                                last.tier());
                    }
                    if (out != null) {
                        for (ObjectNode chunk : Answers.asChunks(a.body(), json,
                                body.path("stream_options").path("include_usage").asBoolean(false))) {
                            if (!out.chunk(last.routeHeader(), chunk)) {
                                break;
                            }
                        }
                    }
                    return last;
                }
                escalated = "; escalated=" + v.reason();
            } else if (o.result() instanceof BackendResult.Failed f && !f.failure().retryable()) {
                return last;
            } else {
                escalated = "; escalated=failure";
            }
        }
        return last;
    }

    /**
     * The first tier streams into a buffer until {@code early_tokens} tokens; their logprobs decide:
     * confident → flush and keep streaming; not → stop it and stream the next tier instead. Nothing
     * reaches the client before the decision, so switching is invisible to it.
     */
    private Served early(RouteTable table, RoutesConfig.RouteSpec route, Cascade cascade, ObjectNode body,
            StreamOut out) throws InterruptedException {
        boolean clientLogprobs = body.path("logprobs").asBoolean(false);
        ObjectNode asked = body.deepCopy();
        asked.put("logprobs", true);
        asked.put("stream", true);
        List<String> tiers = cascade.spec().tiers();
        List<String> trail = new ArrayList<>();
        String escalated = "";
        Served last = null;
        for (int i = 0; i < tiers.size(); i++) {
            boolean lastTier = i == tiers.size() - 1;
            String header = "route=" + route.name() + "; tier=" + (i + 1) + "/" + tiers.size() + escalated
                    + "; target=" + tiers.get(i);
            EarlyGate gate = new EarlyGate(cascade, lastTier, clientLogprobs, header, out);
            Fallback.Outcome o = fallback.run(table.chain(List.of(tiers.get(i))), route.retry(),
                    table.budgets.get(route.name()), b -> b.stream(asked, gate::accept));
            trail.addAll(o.trail());
            last = new Served(o.result(), header(header.substring(0, header.lastIndexOf("; target=")),
                    new Fallback.Outcome(o.result(), trail)), (i + 1) + "/" + tiers.size());
            if (o.result() instanceof BackendResult.Answered a) {
                Cascade.Verdict v = gate.decided || lastTier ? Cascade.Verdict.ACCEPT : cascade.judge(a.body());
                if (!v.escalate()) {
                    gate.flush();
                    if (!clientLogprobs) {
                        stripLogprobs(a.body()); // the upstream's bytes no longer match: drop them
                        last = new Served(new BackendResult.Answered(a.body(), a.servedBy()), last.routeHeader(),
                                last.tier());
                    }
                    return last;
                }
                escalated = "; escalated=" + v.reason();
            } else if (gate.escalate != null) {
                escalated = "; escalated=" + gate.escalate;
            } else if (gate.flushed || (o.result() instanceof BackendResult.Failed f && !f.failure().retryable())) {
                return last; // the client already has bytes of this tier: no switching now
            } else {
                escalated = "; escalated=failure";
            }
        }
        return last;
    }

    /** Holds a tier's first chunks back until the early decision. */
    private final class EarlyGate {
        private final Cascade cascade;
        private final boolean lastTier;
        private final boolean clientLogprobs;
        private final String header;
        private final StreamOut out;
        private final List<ObjectNode> held = new ArrayList<>();
        private final ArrayNode logprobs = json.createArrayNode();
        private boolean decided;
        private boolean flushed;
        private String escalate;

        EarlyGate(Cascade cascade, boolean lastTier, boolean clientLogprobs, String header, StreamOut out) {
            this.cascade = cascade;
            this.lastTier = lastTier;
            this.clientLogprobs = clientLogprobs;
            this.header = header;
            this.out = out;
            this.decided = lastTier;
        }

        boolean accept(ObjectNode chunk) {
            if (decided) {
                return send(chunk);
            }
            hold(chunk);
            for (JsonNode c : chunk.path("choices")) {
                c.path("logprobs").path("content").forEach(logprobs::add);
            }
            if (logprobs.size() >= cascade.spec().earlyTokens()) {
                decided = true;
                Cascade.Verdict v = cascade.confidence(logprobs);
                if (v.escalate()) {
                    escalate = v.reason();
                    return false;
                }
                return flush();
            }
            return true;
        }

        private void hold(ObjectNode chunk) {
            held.add(chunk);
        }

        boolean flush() {
            flushed = true;
            for (ObjectNode c : held) {
                if (!send(c)) {
                    return false;
                }
            }
            held.clear();
            return true;
        }

        private boolean send(ObjectNode chunk) {
            flushed = true;
            if (!clientLogprobs) {
                for (JsonNode c : chunk.path("choices")) {
                    ((ObjectNode) c).putNull("logprobs");
                }
            }
            return out == null || out.chunk(header, chunk);
        }
    }

    private static void stripLogprobs(ObjectNode completion) {
        for (JsonNode c : completion.path("choices")) {
            ((ObjectNode) c).putNull("logprobs");
        }
    }

    /** The failure as an HTTP status for the client. */
    static int status(BackendResult.Failed f) {
        return switch (f.failure()) {
            case CLIENT_ERROR -> f.status() > 0 ? f.status() : 400;
            case RATE_LIMITED -> 429;
            case TIMEOUT -> 504;
            case CIRCUIT_OPEN, SATURATED -> 503;
            case CONNECT, SERVER_ERROR, DROPPED -> 502;
            case CANCELLED -> 499;
        };
    }

    static Failure failureOf(BackendResult r) {
        return r instanceof BackendResult.Failed f ? f.failure() : null;
    }
}
