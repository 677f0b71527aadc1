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
 * request (400), daily and monthly budget (429, or a downgrade; one read of both sums), then
 * requests per minute, prompt tokens against tokens per minute and concurrent requests for key and
 * tenant together, all or nothing in one {@link QuotaBackend#takeAll} (one Redis round trip; 429
 * with the refusing bucket's refill time as {@code Retry-After}), then a slot from the
 * {@link FairQueue} (429 when the tenant's queue is full, 503 when the wait cannot be met), which
 * refunds the counters when it refuses.
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
        String[] scopes = {"k:" + caller.keyId(), "t:" + tenant};
        Quota[] quotas = {kq, tq};
        String[] names = {"key " + caller.keyId(), "tenant '" + tenant + "'"};
        List<QuotaBackend.Bucket> buckets = new ArrayList<>();
        List<String> bucketWhat = new ArrayList<>();
        List<Decision.Limit> bucketLimit = new ArrayList<>();
        List<QuotaBackend.Counter> slots = new ArrayList<>();
        List<String> slotWhat = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            Quota q = quotas[i];
            if (q.requestsPerMinute() != null) {
                buckets.add(new QuotaBackend.Bucket("rpm:" + scopes[i], q.requestsPerMinute(), 1));
                bucketWhat.add("Rate limit reached for " + names[i] + ": " + q.requestsPerMinute() + " requests per minute.");
                bucketLimit.add(Decision.Limit.RPM);
            }
            if (q.tokensPerMinute() != null && r.promptTokens() > 0) {
                if (r.promptTokens() > q.tokensPerMinute()) {
                    return new Decision.Rejected(Decision.Limit.TPM, "Request too large for " + names[i]
                            + ": the prompt has " + r.promptTokens() + " tokens but the limit is " + q.tokensPerMinute()
                            + " tokens per minute.", 60);
                }
                buckets.add(new QuotaBackend.Bucket("tpm:" + scopes[i], q.tokensPerMinute(), r.promptTokens()));
                bucketWhat.add("Rate limit reached for " + names[i] + ": " + q.tokensPerMinute() + " tokens per minute.");
                bucketLimit.add(Decision.Limit.TPM);
            }
            if (q.maxConcurrent() != null) {
                slots.add(new QuotaBackend.Counter("conc:" + scopes[i], q.maxConcurrent()));
                slotWhat.add("Too many concurrent requests for " + names[i] + ": the limit is " + q.maxConcurrent() + ".");
            }
        }
        if (!buckets.isEmpty() || !slots.isEmpty()) {
            QuotaBackend.Batch taken = counters.takeAll(buckets, slots);
            if (taken.unavailable()) {
                return new Decision.Rejected(Decision.Limit.LIMITER_UNAVAILABLE, "The rate limiter is unavailable"
                        + " and fails closed; retry later.", seconds(taken.retryAfterMillis()));
            }
            if (!taken.granted()) {
                int i = taken.refusedIndex();
                if (i < buckets.size()) {
                    int wait = seconds(taken.retryAfterMillis());
                    return new Decision.Rejected(bucketLimit.get(i), bucketWhat.get(i) + " Please try again in "
                            + wait + "s.", wait);
                }
                return new Decision.Rejected(Decision.Limit.CONCURRENCY,
                        slotWhat.get(Math.min(i - buckets.size(), slotWhat.size() - 1)), 1);
            }
        }
        List<Runnable> undo = new ArrayList<>();
        List<Runnable> held = new ArrayList<>();
        List<String> slotKeys = slots.stream().map(QuotaBackend.Counter::key).toList();
        if (!buckets.isEmpty()) {
            List<QuotaBackend.Bucket> refunds = buckets.stream()
                    .map(b -> new QuotaBackend.Bucket(b.key(), b.capacity(), -b.cost())).toList();
            undo.add(() -> counters.settleAll(refunds, List.of(), List.of()));
        }
        for (QuotaBackend.Counter c : slots) {
            Runnable release = () -> counters.release(c.key());
            undo.add(release);
            held.add(release);
        }
        Integer cap = min(tq.maxPriority(), kq.maxPriority());
        int priority = cap == null ? r.priority() : Math.min(cap, r.priority());
        Integer tpmTenant = tq.tokensPerMinute();
        Integer tpmKey = kq.tokensPerMinute();
        int promptTaken = r.promptTokens();
        Settlement settle = (prompt, completion) -> {
            // generated tokens, and the prompt's difference from what was taken at admission (an
            // upstream reports its own count of a prompt that was only estimated here)
            int debt = completion + (prompt > 0 ? prompt - promptTaken : 0);
            List<QuotaBackend.Bucket> debts = new ArrayList<>(2);
            if (tpmKey != null && debt != 0) {
                debts.add(new QuotaBackend.Bucket("tpm:" + scopes[0], tpmKey, debt));
            }
            if (tpmTenant != null && debt != 0) {
                debts.add(new QuotaBackend.Bucket("tpm:" + scopes[1], tpmTenant, debt));
            }
            long nanoUsd = Math.round(prices.costUsd(r.model(), prompt, completion) * 1e9);
            List<QuotaBackend.Sum> sums = nanoUsd <= 0 ? List.of() : List.of(
                    new QuotaBackend.Sum(dayKey(tenant), nanoUsd, SPEND_TTL_SECONDS),
                    new QuotaBackend.Sum(monthKey(tenant), nanoUsd, SPEND_TTL_SECONDS));
            counters.settleAll(debts, sums, slotKeys); // releases the concurrency slots in the same step
        };
        return slot(tenant, tq.effectiveWeight(), priority, undo, held, settle, tenant);
    }

    private Decision budget(String tenant, Quota q, String model) {
        if (q.dailyBudgetUsd() == null && q.monthlyBudgetUsd() == null) {
            return null;
        }
        long[] spent = counters.getAll(List.of(dayKey(tenant), monthKey(tenant)));
        String over = null;
        ZonedDateTime now = ZonedDateTime.now(clock.withZone(ZoneOffset.UTC));
        long resetSeconds = 0;
        if (q.dailyBudgetUsd() != null && spent[0] / 1e9 >= q.dailyBudgetUsd()) {
            over = String.format(Locale.ROOT, "tenant '%s' has spent $%.4f of its daily budget of $%.4f;"
                    + " it resets at 00:00 UTC", tenant, spent[0] / 1e9, q.dailyBudgetUsd());
            resetSeconds = Duration.between(now, now.toLocalDate().plusDays(1).atStartOfDay(ZoneOffset.UTC))
                    .toSeconds();
        }
        if (over == null && q.monthlyBudgetUsd() != null && spent[1] / 1e9 >= q.monthlyBudgetUsd()) {
            over = String.format(Locale.ROOT, "tenant '%s' has spent $%.4f of its monthly budget of $%.4f;"
                    + " it resets on the 1st at 00:00 UTC", tenant, spent[1] / 1e9, q.monthlyBudgetUsd());
            LocalDate first = now.toLocalDate().withDayOfMonth(1).plusMonths(1);
            resetSeconds = Duration.between(now, first.atStartOfDay(ZoneOffset.UTC)).toSeconds();
        }
        if (over == null) {
            return null;
        }
        if (q.downgradeModel() != null) {
            // Over budget, the downgrade model stays available: that is what it is for.
            return q.downgradeModel().equals(model) ? null : new Decision.Downgraded(q.downgradeModel(), over);
        }
        return new Decision.Rejected(Decision.Limit.BUDGET, "Budget exceeded: " + over + ".",
                (int) Math.min(Integer.MAX_VALUE, Math.max(1, resetSeconds)));
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
                return new Decision.Rejected(Decision.Limit.QUEUE_FULL, reason, retryAfterSeconds);
            }
            case FairQueue.Entry.Unmeetable u -> {
                undo.reversed().forEach(Runnable::run);
                return new Decision.Unavailable(Decision.Limit.QUEUE_TIMEOUT,
                        "The server is overloaded: the expected wait of " + u.expectedWaitNanos() / 1_000_000
                        + " ms exceeds the limit of " + maxWaitNanos / 1_000_000
                        + " ms; retry later.", Math.max(1, seconds(u.expectedWaitNanos() / 1_000_000)));
            }
            case FairQueue.Entry.Queued q -> {
                slot = await(q.ticket());
                if (slot == null) {
                    undo.reversed().forEach(Runnable::run);
                    return new Decision.Unavailable(Decision.Limit.QUEUE_TIMEOUT,
                            "The server is overloaded: no slot freed within " + maxWaitNanos / 1_000_000
                            + " ms; retry later.", Math.max(1, seconds(maxWaitNanos / 1_000_000)));
                }
            }
        }
        return new Decision.Admitted(new TenantPermit(slot, List.copyOf(held), settle), priority);
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

        /** Settles usage and, in the same step, gives the concurrency slots back (close then only frees the queue slot). */
        @Override
        public void settle(int promptTokens, int completionTokens) {
            if (settlement != null && !closed.get() && settled.compareAndSet(false, true)) {
                settlement.settle(promptTokens, completionTokens);
            }
        }

        @Override
        public void close() {
            if (closed.compareAndSet(false, true)) {
                slot.release();
                if (!settled.get()) {
                    concurrencyReleases.forEach(Runnable::run);
                }
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
