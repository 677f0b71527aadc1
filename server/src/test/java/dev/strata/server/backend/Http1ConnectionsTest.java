package dev.strata.server.backend;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class Http1ConnectionsTest {
    /** How a scripted server answers the {@code n}-th request on a connection; false closes it. */
    interface Answer {
        boolean answer(int n, String body, OutputStream out) throws IOException;
    }

    /** A loopback HTTP/1.1 server that reads each request (Content-Length bodies) and runs the script. */
    static final class Scripted implements AutoCloseable {
        final ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        final AtomicInteger connections = new AtomicInteger();
        /** Counted down when a connection ends (either side closed it). */
        final CountDownLatch connectionEnded = new CountDownLatch(1);

        Scripted(Answer answer) throws IOException {
            Thread.ofVirtual().start(() -> {
                while (!socket.isClosed()) {
                    try {
                        Socket s = socket.accept();
                        connections.incrementAndGet();
                        Thread.ofVirtual().start(() -> serve(s, answer));
                    } catch (IOException e) {
                        return;
                    }
                }
            });
        }

        private void serve(Socket s, Answer answer) {
            try (s) {
                InputStream in = s.getInputStream();
                BufferedReader head = new BufferedReader(new InputStreamReader(in, StandardCharsets.ISO_8859_1), 1);
                for (int n = 0; ; n++) {
                    String line = head.readLine();
                    if (line == null) {
                        return;
                    }
                    int length = 0;
                    for (String h = head.readLine(); h != null && !h.isEmpty(); h = head.readLine()) {
                        if (h.toLowerCase().startsWith("content-length:")) {
                            length = Integer.parseInt(h.substring(15).strip());
                        }
                    }
                    char[] body = new char[length];
                    for (int read = 0; read < length; ) {
                        read += head.read(body, read, length - read);
                    }
                    if (!answer.answer(n, new String(body), s.getOutputStream())) {
                        return;
                    }
                }
            } catch (IOException e) {
                // the client went away
            } finally {
                connectionEnded.countDown();
            }
        }

        URI base() {
            return URI.create("http://127.0.0.1:" + socket.getLocalPort() + "/v1");
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    private static void write(OutputStream out, String s) throws IOException {
        out.write(s.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    private static UpstreamRequest post(URI base, String body) {
        return new UpstreamRequest("POST", URI.create(base + "/chat/completions"),
                List.of("content-type", "application/json"), body.getBytes(StandardCharsets.UTF_8),
                Duration.ofSeconds(5));
    }

    private static String read(UpstreamResponse r) throws IOException {
        try (InputStream in = r.body()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void keepsOneConnectionAliveAcrossRequests() throws Exception {
        try (Scripted server = new Scripted((n, body, out) -> {
            String answer = "echo " + n + " " + body;
            write(out, "HTTP/1.1 200 OK\r\ncontent-length: " + answer.length() + "\r\n\r\n" + answer);
            return true;
        })) {
            Http1Connections http = new Http1Connections(server.base(), Duration.ofSeconds(1));
            UpstreamResponse first = http.send(post(server.base(), "a"));
            assertThat(first.status()).isEqualTo(200);
            assertThat(read(first)).isEqualTo("echo 0 a");
            assertThat(read(http.send(post(server.base(), "bc")))).isEqualTo("echo 1 bc");
            assertThat(server.connections.get()).isEqualTo(1);
            assertThat(http.idleConnections()).isEqualTo(1);
        }
    }

    @Test
    void decodesChunkedBodiesAndKeepsTheConnection() throws Exception {
        try (Scripted server = new Scripted((n, body, out) -> {
            write(out, "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\nretry-after: 3\r\n\r\n"
                    + "5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\nx-trailer: t\r\n\r\n");
            return true;
        })) {
            Http1Connections http = new Http1Connections(server.base(), Duration.ofSeconds(1));
            UpstreamResponse r = http.send(post(server.base(), "{}"));
            assertThat(r.header("retry-after")).contains("3");
            assertThat(read(r)).isEqualTo("hello, world");
            assertThat(read(http.send(post(server.base(), "{}")))).isEqualTo("hello, world");
            assertThat(server.connections.get()).isEqualTo(1);
        }
    }

    @Test
    void resendsOnANewConnectionWhenTheServerClosedTheIdleOne() throws Exception {
        try (Scripted server = new Scripted((n, body, out) -> {
            write(out, "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok");
            return false; // then close, as a server whose keep-alive timeout ran out
        })) {
            Http1Connections http = new Http1Connections(server.base(), Duration.ofSeconds(1));
            assertThat(read(http.send(post(server.base(), "1")))).isEqualTo("ok");
            server.connectionEnded.await(); // the server has closed its end
            assertThat(read(http.send(post(server.base(), "2")))).isEqualTo("ok");
            assertThat(server.connections.get()).isEqualTo(2);
        }
    }

    @Test
    void closingABodyBeforeItsEndClosesTheConnection() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (Scripted server = new Scripted((n, body, out) -> {
            write(out, "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nfirst\r\n");
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return true;
        })) {
            Http1Connections http = new Http1Connections(server.base(), Duration.ofSeconds(1));
            UpstreamResponse r = http.send(post(server.base(), "{}"));
            byte[] five = r.body().readNBytes(5);
            assertThat(new String(five, StandardCharsets.UTF_8)).isEqualTo("first");
            r.body().close();
            release.countDown();
            server.connectionEnded.await();
            assertThat(http.idleConnections()).isZero();
        }
    }

    @Test
    void anUnknownHostOrRefusedPortIsAConnectFailure() {
        URI refused = URI.create("http://127.0.0.1:1/v1");
        Http1Connections http = new Http1Connections(refused, Duration.ofSeconds(1));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> http.send(post(refused, "{}")))
                .isInstanceOf(java.net.ConnectException.class);
    }
}
