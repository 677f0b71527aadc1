package dev.strata.server.observe;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.server.cost.UsageQuery;
import dev.strata.server.cost.UsageStore;
import dev.strata.server.cost.UsageTotal;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;

/**
 * The operator's routes, in front of the API: {@code GET /metrics} (Prometheus text format) and
 * {@code GET /v1/usage?tenant=&from=&to=} (usage and cost by tenant, model and UTC day; {@code from}
 * and {@code to} are dates {@code YYYY-MM-DD} or Unix seconds, both days included, by default the
 * last 30 days). Every other request goes to the wrapped handler.
 */
final class OperationsHandler extends Handler.Wrapper {
    static final String METRICS = "/metrics";
    static final String USAGE = "/v1/usage";
    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
    private static final int DEFAULT_DAYS = 30;

    private final PrometheusMeterRegistry registry;
    private final UsageStore usage;
    private final UsageAccess access;
    private final Clock clock;
    private final ObjectMapper json = new ObjectMapper();

    OperationsHandler(Handler api, PrometheusMeterRegistry registry, UsageStore usage, Clock clock) {
        this(api, registry, usage, clock, UsageAccess.OPEN);
    }

    /** @param access who may read which tenants' usage */
    OperationsHandler(Handler api, PrometheusMeterRegistry registry, UsageStore usage, Clock clock,
            UsageAccess access) {
        this.access = access;
        super(api);
        this.registry = registry;
        this.usage = usage;
        this.clock = clock;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String path = request.getHttpURI().getDecodedPath();
        if (!METRICS.equals(path) && !USAGE.equals(path)) {
            return super.handle(request, response, callback);
        }
        if (!"GET".equals(request.getMethod())) {
            response.getHeaders().put(HttpHeader.ALLOW, "GET");
            send(response, callback, 405, "application/json", error("Method " + request.getMethod()
                    + " is not allowed on " + path + "; use GET", null, "method_not_allowed"));
            return true;
        }
        if (METRICS.equals(path)) {
            send(response, callback, 200, PROMETHEUS_TEXT, registry.scrape().getBytes(StandardCharsets.UTF_8));
            return true;
        }
        UsageQuery query;
        try {
            query = query(Request.extractQueryParameters(request));
        } catch (IllegalArgumentException | DateTimeParseException e) {
            send(response, callback, 400, "application/json", error(e.getMessage(), null, "invalid_value"));
            return true;
        }
        switch (access.scope(request.getHeaders().get(HttpHeader.AUTHORIZATION))) {
            case UsageAccess.Scope.All all -> { }
            case UsageAccess.Scope.Denied d -> {
                send(response, callback, 401, "application/json", error(d.message(), null, "invalid_api_key"));
                return true;
            }
            case UsageAccess.Scope.OneTenant own -> {
                if (query.tenant().isPresent() && !query.tenant().get().equals(own.tenant())) {
                    send(response, callback, 403, "application/json", error("This key may read the usage of tenant "
                            + own.tenant() + " only; other tenants need the admin key", "tenant", "forbidden"));
                    return true;
                }
                query = new UsageQuery(Optional.of(own.tenant()), query.from(), query.to());
            }
        }
        send(response, callback, 200, "application/json", json.writeValueAsBytes(report(query)));
        return true;
    }

    private UsageQuery query(Fields params) {
        LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
        LocalDate to = day(params.getValue("to"), "to", today);
        LocalDate from = day(params.getValue("from"), "from", to.minusDays(DEFAULT_DAYS - 1));
        String tenant = params.getValue("tenant");
        return new UsageQuery(Optional.ofNullable(tenant).filter(t -> !t.isBlank()), from, to);
    }

    private static LocalDate day(String value, String name, LocalDate fallback) {
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            if (value.chars().allMatch(Character::isDigit)) {
                return LocalDate.ofInstant(Instant.ofEpochSecond(Long.parseLong(value)), ZoneOffset.UTC);
            }
            return LocalDate.parse(value);
        } catch (DateTimeParseException | NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a date (YYYY-MM-DD) or Unix seconds, got \""
                    + value + "\"");
        }
    }

    private Map<String, Object> report(UsageQuery query) {
        List<Map<String, Object>> data = new ArrayList<>();
        double total = 0;
        for (UsageTotal t : usage.totals(query)) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("tenant", t.tenant());
            row.put("model", t.model());
            row.put("date", t.day().toString());
            row.put("requests", t.requests());
            row.put("prompt_tokens", t.promptTokens());
            row.put("completion_tokens", t.completionTokens());
            row.put("total_tokens", t.promptTokens() + t.completionTokens());
            row.put("cost_usd", t.costUsd());
            data.add(row);
            total += t.costUsd();
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("object", "list");
        out.put("tenant", query.tenant().orElse(null));
        out.put("from", query.from().toString());
        out.put("to", query.to().toString());
        out.put("total_cost_usd", total);
        out.put("data", data);
        return out;
    }

    private byte[] error(String message, String param, String code) throws Exception {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("message", message);
        body.put("type", "invalid_request_error");
        body.put("param", param);
        body.put("code", code);
        return json.writeValueAsBytes(Map.of("error", body));
    }

    private static void send(Response response, Callback callback, int status, String type, byte[] body) {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, type);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        response.write(true, ByteBuffer.wrap(body), callback);
    }
}
