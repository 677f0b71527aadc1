package dev.strata.server.backend;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One HTTP request to an upstream, whatever carries it ({@link Transport}).
 *
 * @param method  {@code GET} or {@code POST}
 * @param headers name, value, name, value … (names lower case)
 * @param body    the bytes to send, or {@code null} for none
 * @param timeout how long to wait for the response headers
 */
record UpstreamRequest(String method, URI uri, List<String> headers, byte[] body, Duration timeout) {
    UpstreamRequest {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(uri, "uri");
        Objects.requireNonNull(timeout, "timeout");
        if (headers.size() % 2 != 0) {
            throw new IllegalArgumentException("headers come in name/value pairs");
        }
        headers = List.copyOf(headers);
    }

    /** This request with one more header. */
    UpstreamRequest with(String name, String value) {
        List<String> more = new ArrayList<>(headers.size() + 2);
        more.addAll(headers);
        more.add(name);
        more.add(value);
        return new UpstreamRequest(method, uri, more, body, timeout);
    }
}
