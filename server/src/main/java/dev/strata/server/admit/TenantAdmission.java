package dev.strata.server.admit;

import dev.strata.server.auth.Caller;
import dev.strata.server.cost.PriceTable;
import dev.strata.server.quota.QuotaBackend;
import dev.strata.server.tenant.Quota;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Admission for a shared server: the caller's tenant and key limits, then a fair slot.
 *
 * <p>In order, cheapest and most permanent first: allowed model (403), {@code max_tokens} per
 * request (400), daily and monthly budget (429, or a downgrade), requests per minute, prompt tokens
 * against tokens per minute, concurrent requests (429 with the bucket's refill time as
 * {@code Retry-After}), then a slot from the {@link FairQueue} (429 when the tenant's queue is full,
 * 503 when the wait cannot be met). Each check that passed is undone when a later one fails.
 * Generated tokens and the cost are settled when the request ends ({@link Decision.Permit#settle}).
 * Every counter is checked for the tenant and, separately, for the key.
 */
public final class TenantAdmission implements Admission {
    /** Sums of spend, in nano-USD, expire after a month plus slack. */
    private static final long SPEND_TTL_SECONDS = Duration.ofDays(40).toSeconds();
    private static final String ANONYMOUS_TENANT = "";

    private final QuotaBackend counters;
    private final FairQueue queue;
    private final PriceTable prices;
    private final Clock clock;
    private final long maxWaitNanos;
    private final int retryAfterSeconds;

    /**
     * @param maxWaitNanos      longest a request waits for a slot (503 beyond)
     * @param retryAfterSeconds {@code Retry-After} when the queue is full
     */
    public TenantAdmission(QuotaBackend counters, FairQueue queue, PriceTable prices, Clock clock, long maxWaitNanos,
            int retryAfterSeconds) {
        this.counters = counters;
        this.queue = queue;
        this.prices = prices;
        this.clock = clock;
        this.maxWaitNanos = maxWaitNanos;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    @Override
    public Decision admit(AdmissionRequest r) {
        Caller caller = r.caller();
        if (caller.anonymous()) {
            return slot(ANONYMOUS_TENANT, 1, r.priority(), List.of(), List.of(), null, null);
        }
        String tenant = caller.tenantName();
        Quota tq = caller.tenant().quota();
        Quota kq = caller.key().quota();
        if (!tq.allows(r.model()) || !kq.allows(r.model())) {
            return new Decision.Forbidden("The model `" + r.model() + "` is not allowed for tenant '" + tenant
                    + "' (key " + caller.keyId() + ")");
        }
        Integer maxTokens = min(tq.maxTokensPerRequest(), kq.maxTokensPerRequest());
        if (maxTokens != null && r.maxTokens() > maxTokens) {
            return new Decision.Invalid("max_tokens is too large: " + r.maxTokens() + " tokens may be generated,"
                    + " but tenant '" + tenant + "' may ask for at most " + maxTokens + " per request", "max_tokens");
        }
        Decision overBudget = budget(tenant, tq, r.model());
        if (overBudget != null) {
            return overBudget;
        }
        List<Runnable> undo = new ArrayList<>();
        List<Runnable> held = new ArrayList<>();
        String[] scopes = {"k:" + caller.keyId(), "t:" + tenant};
        Quota[] quotas = {kq, tq};
        for (int i = 0; i < 2; i++) {
            Decision d = limits(scopes[i], quotas[i], r, undo, held, i == 0 ? "key " + caller.keyId() : "tenant '" + tenant + "'");
            if (d != null) {
                undo.reversed().forEach(Runnable::run);
                return d;
            }
        }
        Integer cap = min(tq.maxPriority(), kq.maxPriority());
        int priority = cap == null ? r.priority() : Math.min(cap, r.priority());
        Integer tpmTenant = tq.tokensPerMinute();
        Integer tpmKey = kq.tokensPerMinute();
        Settlement settle = (prompt, completion) -> {
            if (tpmKey != null) {
                counters.forceTake("tpm:" + scopes[0], tpmKey, completion);
            }
            if (tpmTenant != null) {
                counters.forceTake("tpm:" + scopes[1], tpmTenant, completion);
            }
            long nanoUsd = Math.round(prices.costUsd(r.model(), prompt, completion) * 1e9);
            if (nanoUsd > 0) {
                counters.add(dayKey(tenant), nanoUsd, SPEND_TTL_SECONDS);
                counters.add(monthKey(tenant), nanoUsd, SPEND_TTL_SECONDS);
            }
        };
        return slot(tenant, tq.effectiveWeight(), priority, undo, held, settle, tenant);
    }

    /** RPM, TPM (prompt) and concurrency for one scope; null when all passed. */
    private Decision limits(String scope, Quota q, AdmissionRequest r, List<Runnable> undo, List<Runnable> held,
            String who) {
        if (q.requestsPerMinute() != null) {
            int rpm = q.requestsPerMinute();
            QuotaBackend.Take t = counters.tryTake("rpm:" + scope, rpm, 1);
            if (!t.granted()) {
                return new Decision.Rejected("Rate limit reached for " + who + ": " + rpm
                        + " requests per minute. Please try again in " + seconds(t.retryAfterMillis()) + "s.",
                        seconds(t.retryAfterMillis()));
            }
            undo.add(() -> counters.forceTake("rpm:" + scope, rpm, -1));
        }
        if (q.tokensPerMinute() != null && r.promptTokens() > 0) {
            int tpm = q.tokensPerMinute();
            if (r.promptTokens() > tpm) {
                return new Decision.Rejected("Request too large for " + who + ": the prompt has " + r.promptTokens()
                        + " tokens but the limit is " + tpm + " tokens per minute.", 60);
            }
            QuotaBackend.Take t = counters.tryTake("tpm:" + scope, tpm, r.promptTokens());
            if (!t.granted()) {
                return new Decision.Rejected("Rate limit reached for " + who + ": " + tpm
                        + " tokens per minute. Please try again in " + seconds(t.retryAfterMillis()) + "s.",
                        seconds(t.retryAfterMillis()));
            }
            undo.add(() -> counters.forceTake("tpm:" + scope, tpm, -r.promptTokens()));
        }
        if (q.maxConcurrent() != null) {
            if (!counters.tryAcquire("conc:" + scope, q.maxConcurrent())) {
                return new Decision.Rejected("Too many concurrent requests for " + who + ": the limit is "
                        + q.maxConcurrent() + ".", 1);
            }
            Runnable release = () -> counters.release("conc:" + scope);
            undo.add(release);
            held.add(release);
        }
        return null;
    }

    private Decision budget(String tenant, Quota q, String model) {
        String over = null;
        ZonedDateTime now = ZonedDateTime.now(clock.withZone(ZoneOffset.UTC));
        long resetSeconds = 0;
        if (q.dailyBudgetUsd() != null) {
            double spent = counters.get(dayKey(tenant)) / 1e9;
            if (spent >= q.dailyBudgetUsd()) {
                over = String.format(Locale.ROOT, "tenant '%s' has spent $%.4f of its daily budget of $%.4f;"
                        + " it resets at 00:00 UTC", tenant, spent, q.dailyBudgetUsd());
                resetSeconds = Duration.between(now, now.toLocalDate().plusDays(1).atStartOfDay(ZoneOffset.UTC))
                        .toSeconds();
            }
        }
        if (over == null && q.monthlyBudgetUsd() != null) {
            double spent = counters.get(monthKey(tenant)) / 1e9;
            if (spent >= q.monthlyBudgetUsd()) {
                over = String.format(Locale.ROOT, "tenant '%s' has spent $%.4f of its monthly budget of $%.4f;"
                        + " it resets on the 1st at 00:00 UTC", tenant, spent, q.monthlyBudgetUsd());
                LocalDate first = now.toLocalDate().withDayOfMonth(1).plusMonths(1);
                resetSeconds = Duration.between(now, first.atStartOfDay(ZoneOffset.UTC)).toSeconds();
            }
        }
        if (over == null) {
            return null;
        }
        if (q.downgradeModel() != null) {
            // Over budget, the downgrade model stays available: that is what it is for.
            return q.downgradeModel().equals(model) ? null : new Decision.Downgraded(q.downgradeModel(), over);
        }
        return new Decision.Rejected("Budget exceeded: " + over + ".", (int) Math.min(Integer.MAX_VALUE,
                Math.max(1, resetSeconds)));
    }

    private Decision slot(String tenant, int weight, int priority, List<Runnable> undo, List<Runnable> held,
            Settlement settle, String who) {
        FairQueue.Slot slot;
        switch (queue.enter(tenant, weight, priority)) {
            case FairQueue.Entry.Admitted a -> slot = a.slot();
            case FairQueue.Entry.Full f -> {
                undo.reversed().forEach(Runnable::run);
                String reason = f.queued() == 0
                        ? "The server is at its limit of " + queue.slots() + " concurrent requests; retry later."
                        : "The queue for " + (who == null ? "this server" : "tenant '" + who + "'") + " is full ("
                                + f.queued() + " requests waiting); retry later.";
                return new Decision.Rejected(reason, retryAfterSeconds);
            }
            case FairQueue.Entry.Unmeetable u -> {
                undo.reversed().forEach(Runnable::run);
                return new Decision.Unavailable("The server is overloaded: the expected wait of "
                        + u.expectedWaitNanos() / 1_000_000 + " ms exceeds the limit of " + maxWaitNanos / 1_000_000
                        + " ms; retry later.", Math.max(1, seconds(u.expectedWaitNanos() / 1_000_000)));
            }
            case FairQueue.Entry.Queued q -> {
                slot = await(q.ticket());
                if (slot == null) {
                    undo.reversed().forEach(Runnable::run);
                    return new Decision.Unavailable("The server is overloaded: no slot freed within "
                            + maxWaitNanos / 1_000_000 + " ms; retry later.", Math.max(1, seconds(maxWaitNanos / 1_000_000)));
                }
            }
        }
        return new Decision.Admitted(new TenantPermit(slot, List.copyOf(held), settle));
    }

    private FairQueue.Slot await(FairQueue.Ticket ticket) {
        try {
            return ticket.slot().get(maxWaitNanos, TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            return ticket.cancel() ? null : ticket.slot().join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            ticket.cancel();
            return null;
        } catch (ExecutionException e) {
            throw new IllegalStateException("a queue ticket cannot fail", e.getCause());
        }
    }

    @FunctionalInterface
    private interface Settlement {
        void settle(int promptTokens, int completionTokens);
    }

    /** Holds the slot and the concurrency counters until closed. */
    private final class TenantPermit implements Decision.Permit {
        private final FairQueue.Slot slot;
        private final List<Runnable> concurrencyReleases;
        private final Settlement settlement;
        private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
        private final java.util.concurrent.atomic.AtomicBoolean settled = new java.util.concurrent.atomic.AtomicBoolean();

        TenantPermit(FairQueue.Slot slot, List<Runnable> concurrencyReleases, Settlement settlement) {
            this.slot = slot;
            this.concurrencyReleases = concurrencyReleases;
            this.settlement = settlement;
        }

        @Override
        public long queuedNanos() {
            return slot.waitedNanos();
        }

        @Override
        public void settle(int promptTokens, int completionTokens) {
            if (settlement != null && settled.compareAndSet(false, true)) {
                settlement.settle(promptTokens, completionTokens);
            }
        }

        @Override
        public void close() {
            if (closed.compareAndSet(false, true)) {
                slot.release();
                concurrencyReleases.forEach(Runnable::run);
            }
        }
    }

    private String dayKey(String tenant) {
        return "spend:d:" + tenant + ":" + LocalDate.now(clock.withZone(ZoneOffset.UTC));
    }

    private String monthKey(String tenant) {
        LocalDate d = LocalDate.now(clock.withZone(ZoneOffset.UTC));
        return "spend:m:" + tenant + ":" + d.getYear() + "-" + d.getMonthValue();
    }

    private static int seconds(long millis) {
        return (int) Math.min(Integer.MAX_VALUE, Math.max(1, (millis + 999) / 1000));
    }

    private static Integer min(Integer a, Integer b) {
        if (a == null) {
            return b;
        }
        if (b == null) {
            return a;
        }
        return Math.min(a, b);
    }
}
