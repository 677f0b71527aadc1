package dev.strata.server.cost;

import dev.strata.server.config.ModelConfig;
import dev.strata.server.config.ModelPrice;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** Each served model's price; a model that is not in the table is free. */
public final class PriceTable {
    private final Map<String, ModelPrice> prices;

    public PriceTable(Map<String, ModelPrice> prices) {
        this.prices = Map.copyOf(prices);
    }

    /** The prices the configuration gives the models. */
    public static PriceTable of(List<ModelConfig> models) {
        return new PriceTable(models.stream().collect(Collectors.toMap(ModelConfig::id, ModelConfig::price)));
    }

    public ModelPrice price(String model) {
        return prices.getOrDefault(model, ModelPrice.FREE);
    }

    /** The cost in USD of a call to {@code model}. */
    public double costUsd(String model, long promptTokens, long completionTokens) {
        return price(model).costUsd(promptTokens, completionTokens);
    }
}
