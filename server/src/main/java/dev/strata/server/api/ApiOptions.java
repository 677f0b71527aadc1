package dev.strata.server.api;

import java.util.Objects;

/**
 * The API's settings.
 *
 * @param maxBodyBytes      largest request body (413 beyond)
 * @param maxN              largest {@code n}
 * @param retryAfterSeconds sent with 503 while not ready
 * @param version           Strata's version, for {@code /version} and {@code system_fingerprint}
 */
public record ApiOptions(long maxBodyBytes, int maxN, int retryAfterSeconds, String version) {
    public ApiOptions {
        Objects.requireNonNull(version, "version");
        if (maxBodyBytes <= 0 || maxN <= 0 || retryAfterSeconds < 0) {
            throw new IllegalArgumentException("maxBodyBytes and maxN must be > 0, retryAfterSeconds >= 0");
        }
    }
}
