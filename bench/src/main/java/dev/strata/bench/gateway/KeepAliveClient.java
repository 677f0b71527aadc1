package dev.strata.bench.gateway;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Semaphore;

/**
 * Sends one fixed HTTP/1.1 request to one address over a pool of keep-alive plain sockets (at most
 * {@code maxConnections} in flight; callers beyond that wait for a connection). Lean on purpose: the
 * benchmark's own client must cost far less CPU per request than the gateways it measures.
 */
public final class KeepAliveClient implements AutoCloseable {
    private final InetSocketAddress address;
    private final byte[] request;
    private final int timeoutMillis;
    private final Semaphore permits;
    private final ConcurrentLinkedDeque<Connection> idle = new ConcurrentLinkedDeque<>();
    private final Set<Connection> open = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    /**
     * @param request        the complete request bytes, head and body ({@link #post} builds them)
     * @param maxConnections connections (and so requests in flight) at most
     * @param timeout        read timeout per request
     */
    public KeepAliveClient(InetSocketAddress address, byte[] request, int maxConnections, Duration timeout) {
        if (maxConnections < 1) {
            throw new IllegalArgumentException("maxConnections must be >= 1, got " + maxConnections);
        }
        this.address = address;
        this.request = request.clone();
        this.timeoutMillis = Math.toIntExact(timeout.toMillis());
        this.permits = new Semaphore(maxConnections);
    }

    /** The bytes of a {@code POST path} with a JSON body, the given extra headers and keep-alive. */
    public static byte[] post(InetSocketAddress address, String path, Map<String, String> headers, String body) {
        byte[] bodyBytes = body.getBytes(StandardCharsets.UTF_8);
        StringBuilder head = new StringBuilder("POST ").append(path).append(" HTTP/1.1\r\nHost: ")
                .append(address.getHostString()).append(':').append(address.getPort())
                .append("\r\nContent-Type: application/json\r\nContent-Length: ").append(bodyBytes.length).append("\r\n");
        headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
        byte[] headBytes = head.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII);
        byte[] all = new byte[headBytes.length + bodyBytes.length];
        System.arraycopy(headBytes, 0, all, 0, headBytes.length);
        System.arraycopy(bodyBytes, 0, all, headBytes.length, bodyBytes.length);
        return all;
    }

    /** The bytes of a {@code GET path} with keep-alive. */
    public static byte[] get(InetSocketAddress address, String path) {
        return ("GET " + path + " HTTP/1.1\r\nHost: " + address.getHostString() + ':' + address.getPort() + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    /** Sends the request once and reads the whole answer; returns its status code. */
    public int send() throws IOException, InterruptedException {
        permits.acquire();
        Connection connection = null;
        try {
            connection = idle.pollFirst();
            if (connection == null) {
                connection = connect();
            }
            connection.out.write(request);
            connection.out.flush();
            int status = connection.reader.read(true);
            if (status < 0) {
                throw new IOException("connection closed before the answer");
            }
            if (connection.reader.reusable() && !closed) {
                idle.offerFirst(connection);
            } else {
                discard(connection);
            }
            return status;
        } catch (IOException | RuntimeException e) {
            if (connection != null) {
                discard(connection);
            }
            throw e;
        } finally {
            permits.release();
        }
    }

    private Connection connect() throws IOException {
        if (closed) {
            throw new IOException("client closed");
        }
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(timeoutMillis);
            socket.connect(address, timeoutMillis);
            Connection connection = new Connection(socket, socket.getOutputStream(),
                    new Http1Reader(new BufferedInputStream(socket.getInputStream(), 16 * 1024)));
            open.add(connection);
            return connection;
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    private void discard(Connection connection) {
        open.remove(connection);
        try {
            connection.socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    /** Closes every connection, also those a request is still waiting on (that request then fails). */
    @Override
    public void close() {
        closed = true;
        for (Connection c : open) {
            discard(c);
        }
        idle.clear();
    }

    private record Connection(Socket socket, OutputStream out, Http1Reader reader) {}
}
