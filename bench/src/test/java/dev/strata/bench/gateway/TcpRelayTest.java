package dev.strata.bench.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The overhead benchmark's floor peer: a byte relay between keep-alive clients and the fake upstream. */
class TcpRelayTest {
    @Test
    void keepAliveRequestsGoThroughTheRelayAndBackUnchanged() throws Exception {
        try (FakeUpstream upstream = FakeUpstream.start();
                TcpRelay relay = TcpRelay.start(0, loopback(upstream.port()))) {
            InetSocketAddress address = loopback(relay.port());
            try (KeepAliveClient client = new KeepAliveClient(address,
                    KeepAliveClient.post(address, "/v1/chat/completions", Map.of(), "{\"model\":\"m\"}"), 2,
                    Duration.ofSeconds(5))) {
                for (int i = 0; i < 100; i++) {
                    assertThat(client.send()).isEqualTo(200);
                }
            }
        }
    }

    @Test
    void aClosedRelayRefusesConnections() throws Exception {
        int port;
        try (FakeUpstream upstream = FakeUpstream.start();
                TcpRelay relay = TcpRelay.start(0, loopback(upstream.port()))) {
            port = relay.port();
        }
        assertThatThrownBy(() -> new Socket(InetAddress.getLoopbackAddress(), port).close())
                .isInstanceOf(ConnectException.class);
    }

    @Test
    void anUnreachableUpstreamClosesTheClientsConnection() throws Exception {
        int deadPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            deadPort = s.getLocalPort();
        }
        try (TcpRelay relay = TcpRelay.start(0, loopback(deadPort));
                Socket client = new Socket(InetAddress.getLoopbackAddress(), relay.port())) {
            client.setSoTimeout(5_000);
            assertThat(client.getInputStream().read()).isEqualTo(-1);
        }
    }

    private static InetSocketAddress loopback(int port) {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
    }
}
