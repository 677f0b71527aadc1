package dev.strata.server.api;

import dev.strata.server.admin.KeyAdmin;
import dev.strata.server.audit.AuditLog;
import dev.strata.server.auth.AdminAuth;
import dev.strata.server.auth.Authenticator;
import dev.strata.server.cost.PriceTable;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * What the API edge needs from tenancy: who is calling ({@code /v1}), who may administer
 * ({@code /admin}), where to log each request, and what it cost.
 *
 * @param status live numbers for {@code GET /admin/status} (limiter mode, queue)
 */
public record TenancyApi(Authenticator authenticator, AdminAuth adminAuth, KeyAdmin keyAdmin, AuditLog audit,
        PriceTable prices, Supplier<Map<String, Object>> status) {
    public TenancyApi {
        Objects.requireNonNull(authenticator, "authenticator");
        Objects.requireNonNull(adminAuth, "adminAuth");
        Objects.requireNonNull(keyAdmin, "keyAdmin");
        Objects.requireNonNull(audit, "audit");
        Objects.requireNonNull(prices, "prices");
        Objects.requireNonNull(status, "status");
    }
}
