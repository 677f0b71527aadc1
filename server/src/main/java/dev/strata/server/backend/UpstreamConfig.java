package dev.strata.server.backend;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;

/**
 * One upstream as configured under {@code gateway.upstreams}.
 *
 * @param protocol       how it is spoken to
 * @param baseUrl        OpenAI: up to and including {@code /v1}; Anthropic: the host, {@code /v1/messages} is appended
 * @param model          the model name sent upstream, or {@code null} to pass the requested one through
 * @param apiKey         the resolved key ({@link ApiKeys}), or {@code null}
 * @param maxConnections most requests in flight to this upstream at once
 * @param http2          ask for HTTP/2 (ALPN over TLS; plain HTTP stays on 1.1 unless set)
 */
public record UpstreamConfig(String name, Protocol protocol, URI baseUrl, String model, String apiKey,
        Duration connectTimeout, Duration requestTimeout, int maxConnections, boolean http2) {

    public enum Protocol { OPENAI, ANTHROPIC }

    public UpstreamConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(baseUrl, "base_url");
        Objects.requireNonNull(connectTimeout, "connect_timeout_ms");
        Objects.requireNonNull(requestTimeout, "timeout_ms");
        if (maxConnections < 1) {
            throw new IllegalArgumentException("max_connections must be >= 1, got " + maxConnections);
        }
        if (connectTimeout.isNegative() || connectTimeout.isZero() || requestTimeout.isNegative()
                || requestTimeout.isZero()) {
            throw new IllegalArgumentException("timeouts must be positive");
        }
    }

    /** {@code base} joined with {@code path} whether or not base ends in a slash. */
    URI resolve(String path) {
        String b = baseUrl.toString();
        return URI.create(b.endsWith("/") ? b.substring(0, b.length() - 1) + path : b + path);
    }
}
