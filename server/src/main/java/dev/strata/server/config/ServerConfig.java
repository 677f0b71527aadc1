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
 */
public record ServerConfig(String host, int port, int grpcPort, Duration drainTimeout, Limits limits,
        Optional<TlsConfig> tls) {
    public ServerConfig {
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
