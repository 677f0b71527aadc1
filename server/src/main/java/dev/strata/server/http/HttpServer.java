package dev.strata.server.http;

import dev.strata.server.config.ServerConfig;
import dev.strata.server.config.TlsConfig;
import java.net.URI;
import java.util.concurrent.Executor;
import java.util.function.Function;
import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * One Jetty server on one port. Selectors run on a few platform threads; every request is handled
 * on its own virtual thread (blocking reads and writes are cheap there), so thousands of open
 * streams cost no pool sizing. {@link #stop()} is graceful: the port stops accepting, requests in
 * flight get until the drain timeout to finish, then connections are closed.
 */
public final class HttpServer implements AutoCloseable {
    private final Server server;
    private final ServerConnector connector;
    private final boolean tls;

    /**
     * @param handlers       builds the handler tree for the Jetty server (WebSocket upgrades need it)
     * @param virtualThreads executor that runs each request (a virtual-thread-per-task executor) when
     *                       {@link ServerConfig#requestThreads()} is {@code VIRTUAL}
     */
    public HttpServer(ServerConfig config, Function<Server, Handler> handlers, Executor virtualThreads) {
        QueuedThreadPool pool = new QueuedThreadPool();
        pool.setName("strata-http");
        if (config.requestThreads() == ServerConfig.RequestThreads.VIRTUAL) {
            pool.setVirtualThreadsExecutor(virtualThreads);
        } else { // every request in flight holds a pool thread: room for all of them, plus Jetty's own
            pool.setMaxThreads(Math.max(pool.getMaxThreads(), config.limits().maxConcurrentRequests() + 16));
        }
        this.server = new Server(pool);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendDateHeader(false);
        ConnectionFactory[] factories;
        if (config.tls().isPresent()) {
            TlsConfig t = config.tls().get();
            SslContextFactory.Server ssl = new SslContextFactory.Server();
            ssl.setKeyStore(PemKeyStore.load(t.certificatePem(), t.privateKeyPem()));
            ssl.setKeyStorePassword(new String(PemKeyStore.PASSWORD));
            SecureRequestCustomizer secure = new SecureRequestCustomizer();
            secure.setSniHostCheck(false);
            http.addCustomizer(secure);
            HttpConnectionFactory h1 = new HttpConnectionFactory(http);
            factories = new ConnectionFactory[] {new SslConnectionFactory(ssl, h1.getProtocol()), h1};
        } else {
            factories = new ConnectionFactory[] {new HttpConnectionFactory(http)};
        }
        this.tls = config.tls().isPresent();
        this.connector = new ServerConnector(server, factories);
        connector.setHost(config.host());
        connector.setPort(config.port());
        server.addConnector(connector);
        server.setHandler(new GracefulHandler(handlers.apply(server)));
        server.setStopTimeout(config.drainTimeout().toMillis());
        server.setStopAtShutdown(false);
    }

    public void start() throws Exception {
        server.start();
    }

    /** The port actually bound (differs from the configured one when that was 0). */
    public int port() {
        return connector.getLocalPort();
    }

    public URI uri() {
        String host = connector.getHost();
        if (host == null || host.equals("0.0.0.0") || host.equals("::")) {
            host = "localhost";
        } else if (host.contains(":")) {
            host = "[" + host + "]";
        }
        return URI.create((tls ? "https" : "http") + "://" + host + ":" + port());
    }

    /** Stops accepting, waits for in-flight requests up to the drain timeout, then closes. */
    public void stop() {
        try {
            server.stop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            throw new IllegalStateException("failed to stop the HTTP server: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        stop();
    }
}
