package dev.strata.server.cost;

/**
 * Price of one model.
 *
 * @param inputPerMillionUsd  USD per million prompt tokens
 * @param outputPerMillionUsd USD per million generated tokens
 */
public record Price(double inputPerMillionUsd, double outputPerMillionUsd) {
    public static final Price FREE = new Price(0, 0);

    public Price {
        if (!(inputPerMillionUsd >= 0) || !(outputPerMillionUsd >= 0)) {
            throw new IllegalArgumentException("prices must be >= 0, got " + inputPerMillionUsd + ", "
                    + outputPerMillionUsd);
        }
    }

    public double costUsd(long promptTokens, long completionTokens) {
        return (promptTokens * inputPerMillionUsd + completionTokens * outputPerMillionUsd) / 1e6;
    }
}
