package dev.strata.server.config;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Where and how to listen.
 *
 * @param grpcPort     port of the gRPC service; 0 picks a free port, -1 disables it
 * @param drainTimeout how long a graceful shutdown waits for in-flight requests
 * @param tls          PEM certificate and key; empty serves plain HTTP
 * @param requestThreads what runs each HTTP request: a virtual thread (default) or a pooled platform
 *                     thread
 */
public record ServerConfig(String host, int port, int grpcPort, Duration drainTimeout, Limits limits,
        Optional<TlsConfig> tls, RequestThreads requestThreads) {
    /**
     * What runs each HTTP request. {@code VIRTUAL}: a virtual thread per request, any number of slow
     * streams at once. {@code PLATFORM}: Jetty's pool of platform threads (up to
     * {@code max_concurrent_requests} + 16), whose blocking upstream reads wake the thread directly
     * instead of through a poller and a carrier thread: about 80–110 µs less added latency per proxied
     * request on the gateway benchmark's machine (docs/gateway.md), at a stack per request in flight.
     */
    public enum RequestThreads {
        VIRTUAL, PLATFORM;

        /** How the config file spells it: {@code virtual} or {@code platform}. */
        public String configValue() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        /** The value spelled {@code text} in a config file, if any. */
        public static Optional<RequestThreads> fromConfig(String text) {
            return java.util.Arrays.stream(values()).filter(v -> v.configValue().equals(text)).findFirst();
        }
    }

    /** Requests on virtual threads. */
    public ServerConfig(String host, int port, int grpcPort, Duration drainTimeout, Limits limits,
            Optional<TlsConfig> tls) {
        this(host, port, grpcPort, drainTimeout, limits, tls, RequestThreads.VIRTUAL);
    }

    public ServerConfig {
        Objects.requireNonNull(requestThreads, "requestThreads");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(drainTimeout, "drainTimeout");
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(tls, "tls");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be in [0, 65535], got " + port);
        }
        if (grpcPort < -1 || grpcPort > 65535) {
            throw new IllegalArgumentException("grpcPort must be in [-1, 65535], got " + grpcPort);
        }
    }
}
