package dev.strata.server.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.server.GatewayException;
import dev.strata.server.admit.Admission;
import dev.strata.server.admit.AdmissionRequest;
import dev.strata.server.admit.Decision;
import dev.strata.server.api.ErrorMapper;
import dev.strata.server.audit.Auditor;
import dev.strata.server.audit.CallRecord;
import dev.strata.server.auth.AuthResult;
import dev.strata.server.auth.Authenticator;
import dev.strata.server.auth.Caller;
import dev.strata.server.backend.BackendResult;
import dev.strata.server.route.RequestFeatures;
import dev.strata.server.route.RouteGuard;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Tenant limits for requests the gateway sends to upstreams: the same {@link Admission} as local
 * requests (allowed models, max tokens, budgets, RPM, TPM, concurrency, fair slot), on the prompt's
 * estimated tokens (characters / 4: upstream models have no tokenizer here); at the end the
 * upstream's {@code usage} settles the real counts (or, when a stream carried none, an estimate of
 * the answer's text), the concurrency slots are freed and the audit record is written. A
 * {@code priority} in the request is capped to the tenant's {@code max_priority} in what the
 * upstream (or upstream pool) receives.
 *
 * <p>A tenant over budget with a downgrade model is refused here (429): a routed request's model
 * picked its route, and a downgrade would have to route again.
 */
final class TenantRouteGuard implements RouteGuard {
    private static final String ENDPOINT = "POST /v1/chat/completions";

    private final Authenticator authenticator;
    private final Admission admission;
    private final Auditor auditor;
    private final ObjectMapper json;
    private final ErrorMapper errors = new ErrorMapper();

    TenantRouteGuard(Authenticator authenticator, Admission admission, Auditor auditor, ObjectMapper json) {
        this.authenticator = authenticator;
        this.admission = admission;
        this.auditor = auditor;
        this.json = json;
    }

    @Override
    public Entry admit(String authorization, ObjectNode body, RequestFeatures features, long receivedNanos) {
        AuthResult auth = authenticator.authenticate(authorization);
        Caller caller = auth instanceof AuthResult.Authenticated a ? a.caller() : Caller.ANONYMOUS;
        CallRecord record = auditor.open(requestId(), caller, receivedNanos);
        String model = features.model();
        record.prompt(canonical(body), features.promptTokens());
        if (auth instanceof AuthResult.Denied d) {
            return refuse(record, new GatewayException.Unauthorized(d.message()));
        }
        int priority = body.path("priority").canConvertToInt() ? body.path("priority").asInt() : 0;
        long maxTokens = Math.max(0, body.path("max_completion_tokens").asLong(body.path("max_tokens").asLong(0)));
        Decision decision = admission.admit(new AdmissionRequest(caller, model, features.promptTokens(), maxTokens,
                priority));
        return switch (decision) {
            case Decision.Admitted a -> {
                Decision.Permit permit = a.permit();
                record.admitted(model, permit.queuedNanos());
                yield new Admitted(capped(body, priority, a.priority()),
                        (result, status) -> finish(record, permit, features, result, status));
            }
            case Decision.Rejected r -> refuse(record, new GatewayException.Overloaded(r.reason(), r.retryAfterSeconds()));
            case Decision.Downgraded d -> refuse(record, new GatewayException.Overloaded(d.reason(), 60));
            case Decision.Unavailable u -> refuse(record, new GatewayException.Unavailable(u.reason(),
                    u.retryAfterSeconds()));
            case Decision.Forbidden f -> refuse(record, new GatewayException.Forbidden(f.reason(), "model_not_allowed"));
            case Decision.Invalid i -> refuse(record, new GatewayException.InvalidRequest(i.reason(), i.param(),
                    "invalid_value"));
        };
    }

    /**
     * {@code req-} and a random (version 4) UUID. From {@link ThreadLocalRandom}, not
     * {@link UUID#randomUUID}'s {@code SecureRandom}: an audit id must be unique, not unguessable, and
     * the secure generator cost a measurable share of a routed request's CPU.
     */
    private static String requestId() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long high = (random.nextLong() & ~0xF000L) | 0x4000L;
        long low = (random.nextLong() & ~(3L << 62)) | (1L << 63);
        return "req-" + new UUID(high, low);
    }

    /** The body to send upstream: a {@code priority} the client sent, capped to what the tenant may use. */
    private static ObjectNode capped(ObjectNode body, int asked, int allowed) {
        if (asked == allowed || !body.has("priority")) {
            return body;
        }
        ObjectNode out = body.deepCopy();
        out.put("priority", allowed);
        return out;
    }

    private Refused refuse(CallRecord record, GatewayException failure) {
        ErrorMapper.ErrorReply reply = errors.map(failure);
        auditor.close(record, ENDPOINT, reply.status(), failure.getMessage());
        return new Refused(reply.status(), reply.retryAfterSeconds(), json.valueToTree(reply.body()));
    }

    private void finish(CallRecord record, Decision.Permit permit, RequestFeatures features, BackendResult result,
            int status) {
        int prompt = 0;
        int completion = 0;
        String error = null;
        try {
            switch (result) {
                case BackendResult.Answered a -> {
                    String text = text(a.body());
                    record.output(text);
                    JsonNode usage = a.body().path("usage");
                    prompt = usage.path("prompt_tokens").canConvertToInt() ? usage.path("prompt_tokens").asInt()
                            : features.promptTokens();
                    completion = usage.path("completion_tokens").canConvertToInt()
                            ? usage.path("completion_tokens").asInt() : (text.length() + 3) / 4;
                }
                case BackendResult.Failed f -> error = f.message();
                case null -> error = status == 499 ? "the client went away" : "no answer";
            }
            record.promptTokens(prompt == 0 ? features.promptTokens() : prompt);
            record.completed(completion);
            permit.settle(prompt, completion);
        } finally {
            permit.close();
            auditor.close(record, ENDPOINT, status, error);
        }
    }

    /** The generated text of every choice, in order. */
    private static String text(ObjectNode completion) {
        StringBuilder sb = new StringBuilder();
        for (JsonNode choice : completion.path("choices")) {
            sb.append(choice.path("message").path("content").asText(""));
        }
        return sb.toString();
    }

    /** {@code role:content} per message, separated by NUL (the audit log's canonical prompt). */
    private static String canonical(ObjectNode body) {
        StringBuilder sb = new StringBuilder();
        for (JsonNode m : body.path("messages")) {
            if (!sb.isEmpty()) {
                sb.append('\u0000');
            }
            JsonNode content = m.path("content");
            sb.append(m.path("role").asText()).append(':').append(content.isTextual() ? content.asText()
                    : content.toString());
        }
        return sb.toString();
    }
}
