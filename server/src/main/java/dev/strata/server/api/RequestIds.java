package dev.strata.server.api;

import java.util.HexFormat;
import java.util.random.RandomGenerator;

/** Response ids in OpenAI's style: a prefix and 24 random hex digits ({@code chatcmpl-…}). */
final class RequestIds {
    private final RandomGenerator random;

    RequestIds(RandomGenerator random) {
        this.random = random;
    }

    String next(String prefix) {
        long high;
        long low;
        synchronized (this) {
            high = random.nextLong();
            low = random.nextLong();
        }
        return prefix + HexFormat.of().toHexDigits(high).substring(4) + HexFormat.of().toHexDigits(low);
    }
}
