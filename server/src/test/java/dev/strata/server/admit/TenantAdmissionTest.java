package dev.strata.server.admit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.server.auth.Caller;
import dev.strata.server.config.ModelPrice;
import dev.strata.server.cost.PriceTable;
import dev.strata.server.quota.LocalQuotaBackend;
import dev.strata.server.tenant.ApiKey;
import dev.strata.server.tenant.Quota;
import dev.strata.server.tenant.Tenant;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class TenantAdmissionTest {
    private final AtomicLong nanos = new AtomicLong();
    private final Clock clock = Clock.fixed(Instant.parse("2026-11-23T12:00:00Z"), ZoneOffset.UTC);
    private final LocalQuotaBackend counters = new LocalQuotaBackend(nanos::get);
    private final PriceTable prices = new PriceTable(Map.of("big", new ModelPrice(1_000_000, 2_000_000)));

    private TenantAdmission admission(int slots) {
        return new TenantAdmission(counters, new FairQueue(slots, 4, 1_000_000_000L, nanos::get), prices, clock,
                1_000_000_000L, 2);
    }

    private static Caller caller(Quota tenant, Quota key) {
        return new Caller(new Tenant("acme", tenant, false),
                new ApiKey("0123456789ab", "acme", "00", "00", key, Instant.EPOCH, null));
    }

    private static Quota quota(Integer rpm, Integer tpm, Integer concurrent) {
        return new Quota(rpm, tpm, concurrent, null, Set.of(), null, null, null, null, null);
    }

    @Test
    void requestsPerMinuteAreExactForTenantAndKey() {
        TenantAdmission a = admission(100);
        Caller c = caller(quota(5, null, null), quota(3, null, null));
        for (int i = 0; i < 3; i++) {
            ((Decision.Admitted) a.admit(new AdmissionRequest(c, "m", 1, 1, 0))).permit().close();
        }
        Decision d = a.admit(new AdmissionRequest(c, "m", 1, 1, 0));
        assertThat(d).isInstanceOfSatisfying(Decision.Rejected.class, r -> {
            assertThat(r.reason()).contains("key 0123456789ab").contains("3 requests per minute");
            assertThat(r.retryAfterSeconds()).isEqualTo(20);
        });
        Caller other = new Caller(c.tenant(), new ApiKey("ba9876543210", "acme", "00", "00", Quota.NONE, Instant.EPOCH,
                null));
        assertThat(a.admit(new AdmissionRequest(other, "m", 1, 1, 0))).isInstanceOf(Decision.Admitted.class);
        assertThat(a.admit(new AdmissionRequest(other, "m", 1, 1, 0))).as("tenant's 5 used: 3 + 2")
                .isInstanceOf(Decision.Admitted.class);
        assertThat(a.admit(new AdmissionRequest(other, "m", 1, 1, 0))).isInstanceOfSatisfying(Decision.Rejected.class,
                r -> assertThat(r.reason()).contains("tenant 'acme'"));
    }

    @Test
    void tokensPerMinuteTakePromptBeforeAndGeneratedAfter() {
        TenantAdmission a = admission(100);
        Caller c = caller(quota(null, 100, null), Quota.NONE);
        Decision.Permit p = ((Decision.Admitted) a.admit(new AdmissionRequest(c, "m", 40, 100, 0))).permit();
        p.settle(40, 50);
        p.close();
        assertThat(a.admit(new AdmissionRequest(c, "m", 20, 1, 0))).as("100 - 40 - 50 = 10 < 20")
                .isInstanceOf(Decision.Rejected.class);
        assertThat(a.admit(new AdmissionRequest(c, "m", 500, 1, 0))).isInstanceOfSatisfying(Decision.Rejected.class,
                r -> assertThat(r.reason()).contains("prompt has 500 tokens"));
    }

    @Test
    void concurrencyIsReleasedWhenThePermitCloses() {
        TenantAdmission a = admission(100);
        Caller c = caller(quota(null, null, 1), Quota.NONE);
        Decision.Permit p = ((Decision.Admitted) a.admit(new AdmissionRequest(c, "m", 1, 1, 0))).permit();
        assertThat(a.admit(new AdmissionRequest(c, "m", 1, 1, 0))).isInstanceOf(Decision.Rejected.class);
        p.close();
        p.close();
        assertThat(a.admit(new AdmissionRequest(c, "m", 1, 1, 0))).isInstanceOf(Decision.Admitted.class);
    }

    @Test
    void modelsAndMaxTokensArePerCaller() {
        TenantAdmission a = admission(100);
        Quota tenant = new Quota(null, null, null, 64, Set.of("m", "n"), null, null, null, null, null);
        Quota key = new Quota(null, null, null, null, Set.of("m"), null, null, null, null, null);
        Caller c = caller(tenant, key);
        assertThat(a.admit(new AdmissionRequest(c, "n", 1, 1, 0))).isInstanceOfSatisfying(Decision.Forbidden.class,
                f -> assertThat(f.reason()).contains("`n` is not allowed"));
        assertThat(a.admit(new AdmissionRequest(c, "m", 1, 65, 0))).isInstanceOfSatisfying(Decision.Invalid.class,
                i -> assertThat(i.param()).isEqualTo("max_tokens"));
    }

    @Test
    void dailyBudgetStopsTheTenantOrDowngrades() {
        TenantAdmission a = admission(100);
        Quota budget = new Quota(null, null, null, null, Set.of(), 1.0, null, null, null, null);
        Caller c = caller(budget, Quota.NONE);
        Decision.Permit p = ((Decision.Admitted) a.admit(new AdmissionRequest(c, "big", 1, 1, 0))).permit();
        p.settle(1, 0); // $1 at $1M per million input tokens
        p.close();
        assertThat(a.admit(new AdmissionRequest(c, "big", 1, 1, 0))).isInstanceOfSatisfying(Decision.Rejected.class,
                r -> {
                    assertThat(r.reason()).contains("daily budget of $1.0000");
                    assertThat(r.retryAfterSeconds()).isEqualTo(12 * 3600);
                });
        Quota withDowngrade = new Quota(null, null, null, null, Set.of(), 1.0, null, null, null, "small");
        assertThat(a.admit(new AdmissionRequest(caller(withDowngrade, Quota.NONE), "big", 1, 1, 0)))
                .isEqualTo(new Decision.Downgraded("small", "tenant 'acme' has spent $1.0000 of its daily budget of"
                        + " $1.0000; it resets at 00:00 UTC"));
    }

    @Test
    void queueFullIs429AndRejectionUndoesEarlierCounters() {
        TenantAdmission a = new TenantAdmission(counters, new FairQueue(1, 0, 0, nanos::get), prices, clock, 0, 2);
        Caller c = caller(quota(2, null, 5), Quota.NONE);
        Decision.Permit p = ((Decision.Admitted) a.admit(new AdmissionRequest(c, "m", 1, 1, 0))).permit();
        assertThat(a.admit(new AdmissionRequest(c, "m", 1, 1, 0))).isInstanceOfSatisfying(Decision.Rejected.class,
                r -> assertThat(r.retryAfterSeconds()).isEqualTo(2));
        p.close();
        assertThat(a.admit(new AdmissionRequest(c, "m", 1, 1, 0))).as("the refused request's RPM token came back")
                .isInstanceOf(Decision.Admitted.class);
    }

    @Test
    void admittedPriorityIsCappedByTenantAndKey() {
        TenantAdmission a = admission(100);
        Quota tenantCap = new Quota(null, null, null, null, Set.of(), null, null, 3, null, null);
        Quota keyCap = new Quota(null, null, null, null, Set.of(), null, null, 1, null, null);
        assertThat(((Decision.Admitted) a.admit(new AdmissionRequest(caller(tenantCap, Quota.NONE), "m", 1, 1, 7)))
                .priority()).isEqualTo(3);
        assertThat(((Decision.Admitted) a.admit(new AdmissionRequest(caller(tenantCap, keyCap), "m", 1, 1, 7)))
                .priority()).isEqualTo(1);
        assertThat(((Decision.Admitted) a.admit(new AdmissionRequest(caller(tenantCap, keyCap), "m", 1, 1, -2)))
                .priority()).isEqualTo(-2);
        assertThat(((Decision.Admitted) a.admit(new AdmissionRequest(Caller.ANONYMOUS, "m", 1, 1, 7)))
                .priority()).isEqualTo(7);
    }

    @Test
    void settlementCorrectsAnEstimatedPromptFromTheReportedOne() {
        TenantAdmission a = admission(100);
        Caller c = caller(quota(null, 100, null), Quota.NONE);
        // 10 prompt tokens estimated; the upstream reports 40 prompt and 50 generated: 100 - 10 - 30 - 50 = 10 left
        ((Decision.Admitted) a.admit(new AdmissionRequest(c, "m", 10, 0, 0))).permit().settle(40, 50);
        assertThat(a.admit(new AdmissionRequest(c, "m", 11, 0, 0))).isInstanceOf(Decision.Rejected.class);
        assertThat(a.admit(new AdmissionRequest(c, "m", 10, 0, 0))).isInstanceOf(Decision.Admitted.class);
    }
}
