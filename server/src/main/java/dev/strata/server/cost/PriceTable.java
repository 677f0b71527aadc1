package dev.strata.server.cost;

import java.util.Map;

/**
 * Prices by model id (config section {@code prices}); models not listed cost {@code fallback}
 * (the {@code default} entry, else free).
 */
public record PriceTable(Map<String, Price> byModel, Price fallback) {
    public static final PriceTable FREE = new PriceTable(Map.of(), Price.FREE);

    public PriceTable {
        byModel = Map.copyOf(byModel);
        java.util.Objects.requireNonNull(fallback, "fallback");
    }

    public Price of(String model) {
        return byModel.getOrDefault(model, fallback);
    }

    public double costUsd(String model, long promptTokens, long completionTokens) {
        return of(model).costUsd(promptTokens, completionTokens);
    }
}
