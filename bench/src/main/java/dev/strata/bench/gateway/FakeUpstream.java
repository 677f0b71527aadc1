package dev.strata.bench.gateway;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A fast fake OpenAI upstream on 127.0.0.1: plain server socket, one platform thread per keep-alive
 * connection (its blocking read is woken by the kernel directly; clients keep few connections open), and
 * the same fixed chat completion for every request (no parsing beyond the framing).
 */
public final class FakeUpstream implements AutoCloseable {
    private static final byte[] BODY = ("{\"id\":\"c\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"fake\","
            + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"ok\"},\"logprobs\":null,"
            + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1,\"total_tokens\":2}}")
            .getBytes(StandardCharsets.UTF_8);
    private static final byte[] RESPONSE = concat(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            + "Content-Length: " + BODY.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII), BODY);

    private final ServerSocket server;
    private final Set<Socket> connections = ConcurrentHashMap.newKeySet();
    private final Thread acceptor;

    private FakeUpstream(ServerSocket server) {
        this.server = server;
        this.acceptor = Thread.ofVirtual().name("fake-upstream-accept").start(this::accept);
    }

    /** Listens on a free loopback port and answers until closed. */
    public static FakeUpstream start() throws IOException {
        return new FakeUpstream(new ServerSocket(0, 1024, InetAddress.getLoopbackAddress()));
    }

    public int port() {
        return server.getLocalPort();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                socket.setTcpNoDelay(true);
                connections.add(socket);
                Thread.ofPlatform().daemon().name("fake-upstream").start(() -> serve(socket));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            Http1Reader reader = new Http1Reader(new BufferedInputStream(socket.getInputStream(), 16 * 1024));
            OutputStream out = socket.getOutputStream();
            while (reader.read(false) >= 0) {
                out.write(RESPONSE);
                out.flush();
                if (!reader.reusable()) {
                    return;
                }
            }
        } catch (IOException | RuntimeException e) {
            // the peer went away or sent garbage: drop the connection
        } finally {
            connections.remove(socket);
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : connections) {
            s.close();
        }
        try {
            acceptor.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] all = new byte[a.length + b.length];
        System.arraycopy(a, 0, all, 0, a.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
