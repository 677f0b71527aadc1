package dev.strata.server.backend;

import java.io.IOException;
import java.net.http.HttpClient;

/**
 * Carries {@link UpstreamRequest}s to one upstream. Failures are exceptions the caller maps to a
 * {@link Failure}: {@link java.net.ConnectException} or {@link java.net.http.HttpConnectTimeoutException}
 * (cannot connect), {@link java.net.http.HttpTimeoutException} (no response headers within the
 * request's timeout), any other {@link IOException} (the exchange broke).
 */
sealed interface Transport permits Http1Connections, JdkTransport {
    /** Sends {@code request} and waits for the response headers, blocking the calling (virtual) thread. */
    UpstreamResponse send(UpstreamRequest request) throws IOException, InterruptedException;

    /**
     * The transport for {@code config}: plain {@code http://} over HTTP/1.1 uses Strata's own pooled
     * keep-alive connections on the calling thread (no thread hand-offs, {@code TCP_NODELAY}); TLS and
     * HTTP/2 go through the JDK's {@code client} (which may be {@code null} for a plain-HTTP/1.1 upstream).
     */
    static Transport of(UpstreamConfig config, HttpClient client) {
        boolean plain = "http".equalsIgnoreCase(config.baseUrl().getScheme());
        return plain && !config.http2() ? new Http1Connections(config.baseUrl(), config.connectTimeout())
                : new JdkTransport(client);
    }
}
