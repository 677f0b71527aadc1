package dev.strata.bench.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The benchmark's own HTTP/1.1 client and fake upstream: framing and connection reuse. */
class KeepAliveClientTest {
    @Test
    void readsChunkedAndContentLengthAnswersOffOneConnection() throws Exception {
        String wire = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;x=1\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"
                + "HTTP/1.1 429 Too Many\r\ncontent-length: 2\r\nConnection: close\r\n\r\nno";
        Http1Reader reader = new Http1Reader(new BufferedInputStream(
                new ByteArrayInputStream(wire.getBytes(StandardCharsets.US_ASCII))));
        assertThat(reader.read(true)).isEqualTo(200);
        assertThat(reader.reusable()).isTrue();
        assertThat(reader.read(true)).isEqualTo(429);
        assertThat(reader.reusable()).isFalse();
        assertThat(reader.read(true)).isEqualTo(-1);
    }

    @Test
    void manyRequestsToTheFakeUpstreamReuseFewConnections() throws Exception {
        try (FakeUpstream upstream = FakeUpstream.start()) {
            InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), upstream.port());
            try (KeepAliveClient client = new KeepAliveClient(address,
                    KeepAliveClient.post(address, "/v1/chat/completions", Map.of("x-a", "b"), "{\"model\":\"m\"}"), 2,
                    Duration.ofSeconds(5))) {
                for (int i = 0; i < 200; i++) {
                    assertThat(client.send()).isEqualTo(200);
                }
            }
        }
    }

    @Test
    void aConnectionTheServerClosesIsReplaced() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            Thread.ofVirtual().start(() -> {
                for (int i = 0; i < 2; i++) {
                    try (Socket s = server.accept()) {
                        new Http1Reader(new BufferedInputStream(s.getInputStream())).read(false);
                        OutputStream out = s.getOutputStream();
                        out.write("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                                .getBytes(StandardCharsets.US_ASCII));
                    } catch (Exception e) {
                        return;
                    }
                }
            });
            InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort());
            try (KeepAliveClient client = new KeepAliveClient(address, KeepAliveClient.get(address, "/"), 1,
                    Duration.ofSeconds(5))) {
                assertThat(client.send()).isEqualTo(200);
                assertThat(client.send()).isEqualTo(200);
            }
        }
    }
}
