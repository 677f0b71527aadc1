package dev.strata.server.tenant;

import java.util.Set;

/**
 * What a tenant, or one of its keys, may use. A {@code null} number means "no limit at this level";
 * an empty {@code models} set means every model. A key's quota narrows its tenant's: both are
 * enforced, each against its own counters.
 *
 * @param requestsPerMinute    RPM; a token bucket refilled continuously
 * @param tokensPerMinute      TPM; prompt tokens are taken before admission, generated tokens settled after
 * @param maxConcurrent        requests in flight at once
 * @param maxTokensPerRequest  largest {@code max_tokens} a request may ask for
 * @param models               models this tenant or key may call (empty: all)
 * @param dailyBudgetUsd       spend per UTC day
 * @param monthlyBudgetUsd     spend per UTC month
 * @param maxPriority          highest request {@code priority} honoured; higher asks are capped to it
 * @param weight               share of the server under contention, relative to other tenants
 * @param downgradeModel       when over budget, serve this (cheaper) model instead of answering 429
 */
public record Quota(Integer requestsPerMinute, Integer tokensPerMinute, Integer maxConcurrent,
        Integer maxTokensPerRequest, Set<String> models, Double dailyBudgetUsd, Double monthlyBudgetUsd,
        Integer maxPriority, Integer weight, String downgradeModel) {

    public static final Quota NONE = new Quota(null, null, null, null, Set.of(), null, null, null, null, null);

    public Quota {
        positive("requests_per_minute", requestsPerMinute);
        positive("tokens_per_minute", tokensPerMinute);
        positive("max_concurrent", maxConcurrent);
        positive("max_tokens_per_request", maxTokensPerRequest);
        positive("weight", weight);
        models = models == null ? Set.of() : Set.copyOf(models);
        if (dailyBudgetUsd != null && !(dailyBudgetUsd >= 0)) {
            throw new IllegalArgumentException("daily_budget_usd must be >= 0, got " + dailyBudgetUsd);
        }
        if (monthlyBudgetUsd != null && !(monthlyBudgetUsd >= 0)) {
            throw new IllegalArgumentException("monthly_budget_usd must be >= 0, got " + monthlyBudgetUsd);
        }
    }

    private static void positive(String name, Integer value) {
        if (value != null && value <= 0) {
            throw new IllegalArgumentException(name + " must be > 0, got " + value);
        }
    }

    /** Whether {@code model} may be called under this quota. */
    public boolean allows(String model) {
        return models.isEmpty() || models.contains(model);
    }

    /** The weight used for fair sharing (1 when not set). */
    public int effectiveWeight() {
        return weight == null ? 1 : weight;
    }

    public Quota withRequestsPerMinute(Integer rpm) {
        return new Quota(rpm, tokensPerMinute, maxConcurrent, maxTokensPerRequest, models, dailyBudgetUsd,
                monthlyBudgetUsd, maxPriority, weight, downgradeModel);
    }
}
