package dev.strata.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.server.GatewayException;
import dev.strata.server.admin.KeyAdmin;
import dev.strata.server.audit.AuditQuery;
import dev.strata.server.audit.AuditRecord;
import dev.strata.server.auth.KeyMaker;
import dev.strata.server.tenant.ApiKey;
import dev.strata.server.tenant.Quota;
import dev.strata.server.tenant.QuotaJson;
import dev.strata.server.tenant.Tenant;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;

/**
 * {@code /admin/*}, behind the admin key:
 * <pre>
 * GET    /admin/tenants                 list           POST /admin/tenants {name, rpm, …, store_text}
 * GET    /admin/tenants/{name}          one            PUT  /admin/tenants/{name} {rpm, …}
 * DELETE /admin/tenants/{name}          delete, revoking its keys
 * GET    /admin/keys[?tenant=]          list (never the secret)
 * POST   /admin/keys {tenant, rpm, tpm, models, …}   create; the key text is in the reply, once
 * POST   /admin/keys/{id}/rotate        new key, same tenant and limits; the old one is revoked
 * DELETE /admin/keys/{id}               revoke (also POST /admin/keys/{id}/revoke)
 * GET    /admin/audit?tenant=&amp;key_id=&amp;model=&amp;status=&amp;since=&amp;until=&amp;limit=&amp;format=jsonl
 * GET    /admin/status                  limiter and queue state
 * </pre>
 */
final class AdminEndpoint implements Endpoint {
    private static final int DEFAULT_AUDIT_LIMIT = 1000;

    private final TenancyApi tenancy;
    private final ObjectMapper json;

    AdminEndpoint(TenancyApi tenancy, ObjectMapper json) {
        this.tenancy = tenancy;
        this.json = json;
    }

    @Override
    public void handle(Exchange ex) throws Exception {
        if (!tenancy.adminAuth().enabled()) {
            throw new GatewayException.Forbidden("The admin API is disabled: set auth.admin_key or STRATA_ADMIN_KEY.",
                    "admin_disabled");
        }
        if (!tenancy.adminAuth().allows(ex.requestHeader("Authorization"))) {
            throw new GatewayException.Unauthorized("The admin API needs the admin key (Authorization: Bearer …).");
        }
        String[] parts = ex.path().substring("/admin/".length()).split("/");
        String method = ex.method();
        KeyAdmin admin = tenancy.keyAdmin();
        switch (parts[0]) {
            case "tenants" -> tenants(ex, method, parts, admin);
            case "keys" -> keys(ex, method, parts, admin);
            case "audit" -> audit(ex, method);
            case "status" -> {
                allow(ex, method, "GET");
                ex.sendJson(200, tenancy.status().get());
            }
            default -> throw new GatewayException.NotFound("Invalid URL (" + method + " " + ex.path() + ")", null,
                    "not_found");
        }
    }

    private void tenants(Exchange ex, String method, String[] parts, KeyAdmin admin) throws Exception {
        if (parts.length == 1) {
            allow(ex, method, "GET, POST");
            if (method.equals("GET")) {
                ArrayNode out = JsonNodeFactory.instance.arrayNode();
                admin.tenants().forEach(t -> out.add(tenantJson(t)));
                ex.sendJson(200, list(out));
            } else {
                JsonNode body = ex.readJson();
                String name = body.path("name").asText(null);
                Tenant t = tenantOf(name, body);
                admin.putTenant(t);
                ex.sendJson(201, tenantJson(t));
            }
            return;
        }
        String name = parts[1];
        allow(ex, method, "GET, PUT, DELETE");
        switch (method) {
            case "GET" -> ex.sendJson(200, tenantJson(admin.tenant(name).orElseThrow(() -> notFound("tenant", name))));
            case "PUT" -> {
                Tenant t = tenantOf(name, ex.readJson());
                admin.putTenant(t);
                ex.sendJson(200, tenantJson(t));
            }
            default -> {
                if (!admin.deleteTenant(name)) {
                    throw notFound("tenant", name);
                }
                ex.sendJson(200, JsonNodeFactory.instance.objectNode().put("name", name).put("deleted", true));
            }
        }
    }

    private void keys(Exchange ex, String method, String[] parts, KeyAdmin admin) throws Exception {
        if (parts.length == 1) {
            allow(ex, method, "GET, POST");
            if (method.equals("GET")) {
                ArrayNode out = JsonNodeFactory.instance.arrayNode();
                admin.keys(ex.query("tenant")).forEach(k -> out.add(keyJson(k)));
                ex.sendJson(200, list(out));
            } else {
                JsonNode body = ex.readJson();
                String tenant = body.path("tenant").asText(null);
                if (tenant == null) {
                    throw new GatewayException.InvalidRequest("'tenant' is required", "tenant", "missing_required_parameter");
                }
                Quota quota = quota(body, "key");
                try {
                    Tenant.named(tenant);
                } catch (IllegalArgumentException e) {
                    throw new GatewayException.InvalidRequest(e.getMessage(), "tenant", "invalid_value");
                }
                ex.sendJson(201, newKeyJson(admin.createKey(tenant, quota)));
            }
            return;
        }
        String id = parts[1];
        if (parts.length == 3 && parts[2].equals("rotate")) {
            allow(ex, method, "POST");
            ex.sendJson(200, newKeyJson(admin.rotateKey(id).orElseThrow(() -> notFound("active key", id))));
        } else if ((parts.length == 3 && parts[2].equals("revoke") && method.equals("POST"))
                || (parts.length == 2 && method.equals("DELETE"))) {
            if (!admin.revokeKey(id)) {
                throw notFound("active key", id);
            }
            ex.sendJson(200, keyJson(admin.key(id).orElseThrow()));
        } else if (parts.length == 2) {
            allow(ex, method, "GET, DELETE");
            ex.sendJson(200, keyJson(admin.key(id).orElseThrow(() -> notFound("key", id))));
        } else {
            throw new GatewayException.NotFound("Invalid URL (" + method + " " + ex.path() + ")", null, "not_found");
        }
    }

    private void audit(Exchange ex, String method) throws Exception {
        allow(ex, method, "GET");
        AuditQuery q;
        try {
            q = new AuditQuery(ex.query("tenant"), ex.query("key_id"), ex.query("model"),
                    ex.query("status") == null ? null : Integer.parseInt(ex.query("status")),
                    instant(ex.query("since")), instant(ex.query("until")),
                    ex.query("limit") == null ? DEFAULT_AUDIT_LIMIT : Integer.parseInt(ex.query("limit")));
        } catch (NumberFormatException | DateTimeParseException e) {
            throw new GatewayException.InvalidRequest("bad audit filter: " + e.getMessage(), null, "invalid_value");
        } catch (IllegalArgumentException e) {
            throw new GatewayException.InvalidRequest(e.getMessage(), "limit", "invalid_value");
        }
        List<AuditRecord> rows = tenancy.audit().query(q);
        if ("jsonl".equals(ex.query("format"))) {
            StringBuilder sb = new StringBuilder();
            for (AuditRecord r : rows) {
                sb.append(json.writeValueAsString(auditJson(r))).append('\n');
            }
            ex.header("Content-Disposition", "attachment; filename=\"strata-audit.jsonl\"");
            ex.sendText(200, "application/jsonl", sb.toString());
            return;
        }
        ArrayNode out = JsonNodeFactory.instance.arrayNode();
        rows.forEach(r -> out.add(auditJson(r)));
        ex.sendJson(200, list(out));
    }

    private static Instant instant(String text) {
        if (text == null) {
            return null;
        }
        return text.chars().allMatch(Character::isDigit) ? Instant.ofEpochSecond(Long.parseLong(text))
                : Instant.parse(text);
    }

    private static Tenant tenantOf(String name, JsonNode body) {
        ObjectNode limits = body.isObject() ? ((ObjectNode) body).deepCopy() : JsonNodeFactory.instance.objectNode();
        limits.remove("name");
        boolean storeText = limits.path("store_text").asBoolean(false);
        limits.remove("store_text");
        try {
            return new Tenant(name, QuotaJson.read(limits, "tenant"), storeText);
        } catch (IllegalArgumentException e) {
            throw new GatewayException.InvalidRequest(e.getMessage(), null, "invalid_value");
        }
    }

    private static Quota quota(JsonNode body, String where) {
        ObjectNode limits = ((ObjectNode) body).deepCopy();
        limits.remove("tenant");
        try {
            return QuotaJson.read(limits, where);
        } catch (IllegalArgumentException e) {
            throw new GatewayException.InvalidRequest(e.getMessage(), null, "invalid_value");
        }
    }

    private static void allow(Exchange ex, String method, String allowed) {
        if (!List.of(allowed.split(", ")).contains(method)) {
            throw new GatewayException.MethodNotAllowed(method, ex.path(), allowed);
        }
    }

    private static GatewayException notFound(String what, String id) {
        return new GatewayException.NotFound("No " + what + " '" + id + "'", null, "not_found");
    }

    private static ObjectNode list(ArrayNode data) {
        ObjectNode o = JsonNodeFactory.instance.objectNode().put("object", "list");
        o.set("data", data);
        return o;
    }

    static ObjectNode tenantJson(Tenant t) {
        ObjectNode o = JsonNodeFactory.instance.objectNode().put("name", t.name()).put("store_text", t.storeText());
        o.setAll(QuotaJson.write(t.quota()));
        return o;
    }

    static ObjectNode keyJson(ApiKey k) {
        ObjectNode o = JsonNodeFactory.instance.objectNode().put("id", k.id()).put("tenant", k.tenant())
                .put("created_at", k.createdAt().toString());
        o.put("revoked_at", Optional.ofNullable(k.revokedAt()).map(Instant::toString).orElse(null));
        o.setAll(QuotaJson.write(k.quota()));
        return o;
    }

    private static ObjectNode newKeyJson(KeyMaker.NewKey made) {
        ObjectNode o = keyJson(made.key());
        o.put("key", made.text());
        return o;
    }

    private static ObjectNode auditJson(AuditRecord r) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("request_id", r.requestId()).put("time", r.time().toString()).put("tenant", r.tenant())
                .put("key_id", r.keyId()).put("endpoint", r.endpoint()).put("model", r.model())
                .put("status", r.status()).put("prompt_tokens", r.promptTokens())
                .put("completion_tokens", r.completionTokens()).put("cost_usd", r.costUsd())
                .put("latency_ms", r.latencyMillis()).put("queue_ms", r.queueMillis()).put("error", r.error())
                .put("prompt_sha256", r.promptSha256()).put("output_sha256", r.outputSha256());
        if (r.promptText() != null) {
            o.put("prompt_text", r.promptText());
        }
        if (r.outputText() != null) {
            o.put("output_text", r.outputText());
        }
        return o;
    }
}
