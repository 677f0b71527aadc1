package dev.strata.server.config;

/**
 * What a model's tokens cost, in US dollars per million tokens, as providers publish prices. A
 * model without a configured price costs {@link #FREE}.
 */
public record ModelPrice(double inputUsdPerMillion, double outputUsdPerMillion) {

    public static final ModelPrice FREE = new ModelPrice(0, 0);

    public ModelPrice {
        if (!(inputUsdPerMillion >= 0) || !(outputUsdPerMillion >= 0) || Double.isInfinite(inputUsdPerMillion)
                || Double.isInfinite(outputUsdPerMillion)) {
            throw new IllegalArgumentException("prices must be finite and >= 0, got input " + inputUsdPerMillion
                    + ", output " + outputUsdPerMillion);
        }
    }

    /** The cost in USD of {@code promptTokens} in and {@code completionTokens} out. */
    public double costUsd(long promptTokens, long completionTokens) {
        return (promptTokens * inputUsdPerMillion + completionTokens * outputUsdPerMillion) / 1_000_000d;
    }
}
