package dev.strata.server.cost;

import java.time.LocalDate;
import java.util.Objects;

/** Usage of one tenant on one model during one UTC day. */
public record UsageTotal(String tenant, String model, LocalDate day, long requests, long promptTokens,
        long completionTokens, double costUsd) {
    public UsageTotal {
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(day, "day");
    }
}
