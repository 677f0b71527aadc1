package dev.strata.server.cost;

import java.time.Instant;
import java.util.Objects;

/** One served call's billed usage. */
public record UsageEntry(String tenant, String model, Instant at, long promptTokens, long completionTokens,
        double costUsd) {
    public UsageEntry {
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(at, "at");
        if (promptTokens < 0 || completionTokens < 0 || !(costUsd >= 0)) {
            throw new IllegalArgumentException("token counts and cost must be >= 0");
        }
    }
}
