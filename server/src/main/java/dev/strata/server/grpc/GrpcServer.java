package dev.strata.server.grpc;

import dev.strata.server.audit.Auditor;
import dev.strata.server.auth.Authenticator;
import dev.strata.server.config.ServerConfig;
import dev.strata.server.config.TlsConfig;
import dev.strata.server.inference.InferenceService;
import dev.strata.server.registry.ModelRegistry;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * The gRPC listener (Netty, calls executed on virtual threads), with the HTTP server's TLS files
 * when configured. {@link #stop()} is graceful: no new calls, in-flight calls get the drain timeout.
 */
public final class GrpcServer {
    private final Server server;
    private final long drainMillis;

    public GrpcServer(ServerConfig config, InferenceService inference, ModelRegistry registry, Executor virtualThreads,
            Authenticator authenticator, Auditor auditor) {
        NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress(config.host(), config.grpcPort()))
                .executor(virtualThreads)
                .maxInboundMessageSize((int) Math.min(Integer.MAX_VALUE, config.limits().maxBodyBytes()))
                .addService(io.grpc.ServerInterceptors.intercept(new StrataService(inference, registry, auditor),
                        new AuthInterceptor(authenticator, auditor), new ObservingInterceptor(inference)));
        if (config.tls().isPresent()) {
            TlsConfig tls = config.tls().get();
            builder.useTransportSecurity(tls.certificatePem().toFile(), tls.privateKeyPem().toFile());
        }
        this.server = builder.build();
        this.drainMillis = config.drainTimeout().toMillis();
    }

    public void start() {
        try {
            server.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start gRPC on its port: " + e.getMessage(), e);
        }
    }

    /** The port actually bound. */
    public int port() {
        return server.getPort();
    }

    /** Stops accepting new calls; {@link #stop()} then waits for the running ones. */
    public void shutdownAsync() {
        server.shutdown();
    }

    public void stop() {
        server.shutdown();
        try {
            if (!server.awaitTermination(drainMillis, TimeUnit.MILLISECONDS)) {
                server.shutdownNow();
            }
        } catch (InterruptedException e) {
            server.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
