package dev.strata.server.backend;

import java.io.InputStream;
import java.util.Map;
import java.util.Optional;

/**
 * An upstream's response once its status line and headers have arrived; the body streams. Closing
 * the body before its end abandons the exchange (the connection is closed, which is how the upstream
 * learns that a stream was cancelled); reading it to the end lets the connection be reused.
 *
 * @param headers first value of each header, names lower case
 */
record UpstreamResponse(int status, Map<String, String> headers, InputStream body) {
    UpstreamResponse {
        headers = Map.copyOf(headers);
    }

    Optional<String> header(String lowerCaseName) {
        return Optional.ofNullable(headers.get(lowerCaseName));
    }
}
