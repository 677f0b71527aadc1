package dev.strata.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.server.GatewayException.InvalidConfig;
import dev.strata.server.config.Limits;
import dev.strata.server.config.ServerConfig;
import dev.strata.server.config.TlsConfig;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HttpServerTest {
    @TempDir
    Path dir;

    private static Path resource(String name) throws URISyntaxException {
        return Path.of(HttpServerTest.class.getResource(name).toURI());
    }

    /** Answers "on a virtual thread: true/false". */
    private static final class ThreadReporter extends Handler.Abstract {
        @Override
        public boolean handle(Request request, Response response, Callback callback) throws Exception {
            Content.Sink.write(response, true, ByteBuffer.wrap(("virtual=" + Thread.currentThread().isVirtual())
                    .getBytes(StandardCharsets.UTF_8)));
            callback.succeeded();
            return true;
        }
    }

    @Test
    void servesHttpsFromPemFilesOnVirtualThreads() throws Exception {
        ServerConfig config = new ServerConfig("127.0.0.1", 0, -1, Duration.ofSeconds(1), Limits.DEFAULTS,
                Optional.of(new TlsConfig(resource("cert.pem"), resource("key.pem"))));
        HttpServer server = new HttpServer(config, jetty -> new ThreadReporter(), Executors.newVirtualThreadPerTaskExecutor());
        server.start();
        try (HttpClient client = HttpClient.newBuilder().sslContext(trusting(resource("cert.pem"))).build()) {
            assertThat(server.uri().getScheme()).isEqualTo("https");
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(server.uri().resolve("/x")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.body()).isEqualTo("virtual=true");
        } finally {
            server.stop();
        }
    }

    @Test
    void servesOnPlatformThreadsWhenConfiguredSo() throws Exception {
        ServerConfig config = new ServerConfig("127.0.0.1", 0, -1, Duration.ofSeconds(1), Limits.DEFAULTS,
                Optional.empty(), ServerConfig.RequestThreads.PLATFORM);
        HttpServer server = new HttpServer(config, jetty -> new ThreadReporter(), Executors.newVirtualThreadPerTaskExecutor());
        server.start();
        try (HttpClient client = HttpClient.newHttpClient()) {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(server.uri().resolve("/x")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.body()).isEqualTo("virtual=false");
        } finally {
            server.stop();
        }
    }

    @Test
    void keyWithoutPkcs8BlockIsAConfigErrorNamingTheKey() throws Exception {
        Path key = Files.writeString(dir.resolve("k.pem"), "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n");
        assertThatThrownBy(() -> PemKeyStore.load(resource("cert.pem"), key))
                .isInstanceOfSatisfying(InvalidConfig.class, e -> assertThat(e.key()).isEqualTo("server.tls.key"));
    }

    private static SSLContext trusting(Path certPem) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(certPem)) {
            trust.setCertificateEntry("test", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), null);
        return ssl;
    }
}
