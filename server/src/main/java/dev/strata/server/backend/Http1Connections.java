package dev.strata.server.backend;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedDeque;

/**
 * A plain-HTTP/1.1 client for one upstream (RFC 9112) that runs each exchange on the calling virtual
 * thread over a pool of keep-alive connections: write the request in one segment ({@code TCP_NODELAY}),
 * block for the response, hand the body over as a stream. No selector thread, no executor, no
 * futures between the request and its answer: the JDK client's three thread hand-offs and its
 * per-return connection-pool bookkeeping were most of the gateway's added latency
 * ({@code ./strata bench gateway}, docs/gateway.md).
 *
 * <p>Idle connections are reused newest first and dropped after {@link #MAX_IDLE_NANOS} (servers
 * such as uvicorn close theirs after 5 s). A reused connection that the server had already closed
 * fails before any byte of the response arrives; that request is sent once more on a new connection.
 * Bodies are framed by {@code Content-Length}, chunked transfer coding, or the end of the connection;
 * a body read to its end returns the connection to the pool, one closed early closes it (which is how
 * the upstream learns that a stream was cancelled).
 */
final class Http1Connections implements Transport {
    /** Idle connections older than this are closed rather than reused. */
    static final long MAX_IDLE_NANOS = Duration.ofSeconds(4).toNanos();
    private static final int MAX_HEADER_LINE = 16 * 1024;

    private final String host;
    private final int port;
    private final String hostHeader;
    private final int connectTimeoutMillis;
    private final ConcurrentLinkedDeque<Connection> idle = new ConcurrentLinkedDeque<>();

    Http1Connections(URI base, Duration connectTimeout) {
        this.host = base.getHost();
        this.port = base.getPort() == -1 ? 80 : base.getPort();
        this.hostHeader = base.getPort() == -1 ? host : host + ":" + port;
        this.connectTimeoutMillis = (int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis());
    }

    @Override
    public UpstreamResponse send(UpstreamRequest request) throws IOException {
        byte[] message = encode(request);
        while (true) {
            Connection c = reusable();
            boolean reused = c != null;
            if (c == null) {
                c = connect();
            }
            try {
                c.out.write(message);
                c.out.flush();
            } catch (IOException e) {
                c.close();
                if (reused) {
                    continue; // closed by the server while idle
                }
                throw e;
            }
            try {
                return c.readResponse(request);
            } catch (Stale e) {
                c.close();
                if (!reused) {
                    throw new EOFException("upstream closed the connection before answering");
                }
                // the server had closed this idle connection: send again on a fresh one
            } catch (IOException | RuntimeException e) {
                c.close();
                throw e;
            }
        }
    }

    /** Number of idle pooled connections (tests). */
    int idleConnections() {
        return idle.size();
    }

    private Connection reusable() {
        long now = System.nanoTime();
        Connection c;
        while ((c = idle.pollFirst()) != null) {
            if (now - c.idleSinceNanos < MAX_IDLE_NANOS) {
                return c;
            }
            c.close();
        }
        return null;
    }

    private Connection connect() throws IOException {
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.setKeepAlive(true);
            InetSocketAddress address = new InetSocketAddress(host, port);
            if (address.isUnresolved()) {
                throw new ConnectException("unknown host " + host);
            }
            socket.connect(address, connectTimeoutMillis);
            return new Connection(socket);
        } catch (SocketTimeoutException e) {
            socket.close();
            throw new HttpConnectTimeoutException("no connection to " + hostHeader + " within "
                    + connectTimeoutMillis + " ms");
        } catch (UnknownHostException e) {
            socket.close();
            throw new ConnectException("unknown host " + host);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    private byte[] encode(UpstreamRequest request) {
        StringBuilder head = new StringBuilder(256);
        URI uri = request.uri();
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        head.append(request.method()).append(' ').append(path);
        if (uri.getRawQuery() != null) {
            head.append('?').append(uri.getRawQuery());
        }
        head.append(" HTTP/1.1\r\nhost: ").append(hostHeader).append("\r\n");
        List<String> headers = request.headers();
        for (int i = 0; i < headers.size(); i += 2) {
            head.append(headers.get(i)).append(": ").append(headers.get(i + 1)).append("\r\n");
        }
        byte[] body = request.body();
        if (body != null) {
            head.append("content-length: ").append(body.length).append("\r\n");
        }
        head.append("\r\n");
        byte[] headBytes = head.toString().getBytes(StandardCharsets.ISO_8859_1);
        if (body == null) {
            return headBytes;
        }
        byte[] message = new byte[headBytes.length + body.length];
        System.arraycopy(headBytes, 0, message, 0, headBytes.length);
        System.arraycopy(body, 0, message, headBytes.length, body.length);
        return message;
    }

    /** A reused connection gave no byte of a response: the server had closed it. */
    private static final class Stale extends IOException {
        Stale() {
            super("stale connection");
        }
    }

    /** One keep-alive connection; used by one exchange at a time. */
    private final class Connection {
        final Socket socket;
        final BufferedInputStream in;
        final OutputStream out;
        long idleSinceNanos;
        boolean keepAlive;

        Connection(Socket socket) throws IOException {
            this.socket = socket;
            this.in = new BufferedInputStream(socket.getInputStream(), 8192);
            this.out = socket.getOutputStream();
        }

        UpstreamResponse readResponse(UpstreamRequest request) throws IOException {
            long deadline = System.nanoTime() + request.timeout().toNanos();
            String statusLine;
            int status;
            Map<String, String> headers;
            do {
                statusLine = line(deadline, true);
                status = parseStatus(statusLine);
                headers = new HashMap<>();
                for (String h = line(deadline, false); !h.isEmpty(); h = line(deadline, false)) {
                    int colon = h.indexOf(':');
                    if (colon > 0) {
                        headers.putIfAbsent(h.substring(0, colon).strip().toLowerCase(Locale.ROOT),
                                h.substring(colon + 1).strip());
                    }
                }
            } while (status >= 100 && status < 200 && status != 101);
            socket.setSoTimeout(0); // the timeout covers the wait for headers, as the JDK client's does
            String connection = headers.getOrDefault("connection", "").toLowerCase(Locale.ROOT);
            keepAlive = statusLine.startsWith("HTTP/1.1") ? !connection.contains("close")
                    : connection.contains("keep-alive");
            InputStream body;
            String length = headers.get("content-length");
            if (request.method().equals("HEAD") || status == 204 || status == 304) {
                body = new FixedBody(this, 0);
            } else if (headers.getOrDefault("transfer-encoding", "").toLowerCase(Locale.ROOT).contains("chunked")) {
                body = new ChunkedBody(this);
            } else if (length != null) {
                try {
                    body = new FixedBody(this, Long.parseLong(length));
                } catch (NumberFormatException e) {
                    throw new IOException("bad content-length from upstream: " + length);
                }
            } else {
                keepAlive = false;
                body = new FixedBody(this, Long.MAX_VALUE); // until the server closes
            }
            return new UpstreamResponse(status, headers, body);
        }

        private int parseStatus(String line) throws IOException {
            if (!line.startsWith("HTTP/1.") || line.length() < 12) {
                throw new IOException("not an HTTP/1.x response from upstream: "
                        + line.substring(0, Math.min(60, line.length())));
            }
            try {
                return Integer.parseInt(line.substring(9, 12));
            } catch (NumberFormatException e) {
                throw new IOException("bad status line from upstream: " + line);
            }
        }

        /** One CRLF-terminated line (without it); the first line of a reused connection may be {@link Stale}. */
        private String line(long deadline, boolean first) throws IOException {
            long leftMillis = (deadline - System.nanoTime()) / 1_000_000;
            if (leftMillis <= 0) {
                throw new HttpTimeoutException("no response headers in time");
            }
            socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, leftMillis));
            StringBuilder sb = new StringBuilder(64);
            try {
                String line = readLine(in, sb, "upstream header line");
                if (line == null) {
                    if (first && sb.isEmpty()) {
                        throw new Stale();
                    }
                    throw new EOFException("upstream closed the connection mid-headers");
                }
                return line;
            } catch (SocketTimeoutException e) {
                throw new HttpTimeoutException("no response headers in time");
            } catch (java.net.SocketException e) {
                if (first && sb.isEmpty()) {
                    throw new Stale(); // reset by the peer before answering
                }
                throw e;
            }
        }

        /** The body was read to its end: back to the pool, or closed when the server will not keep it. */
        void finished() {
            if (keepAlive) {
                idleSinceNanos = System.nanoTime();
                idle.offerFirst(this);
            } else {
                close();
            }
        }

        void close() {
            try {
                socket.close();
            } catch (IOException e) {
                // closing: nothing left to do
            }
        }
    }

    /**
     * A response body read from its connection: what both framings share (single-byte reads, the end
     * and zero-length checks); {@link #readMore} reads at least one byte of the body proper.
     */
    private abstract static class Body extends InputStream {
        final Connection c;
        /** The body was read to its end (or abandoned): reads return -1. */
        boolean done;

        Body(Connection c) {
            this.c = c;
        }

        @Override
        public final int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) == -1 ? -1 : one[0] & 0xff;
        }

        @Override
        public final int read(byte[] b, int off, int len) throws IOException {
            if (done) {
                return -1;
            }
            if (len == 0) {
                return 0;
            }
            return readMore(b, off, len);
        }

        /** Reads up to {@code len} (> 0) bytes of a body that is not done; -1 at its end. */
        abstract int readMore(byte[] b, int off, int len) throws IOException;
    }

    /** A body of known length (or, with {@code Long.MAX_VALUE}, up to the end of the connection). */
    private static final class FixedBody extends Body {
        private long remaining;

        FixedBody(Connection c, long length) {
            super(c);
            this.remaining = length;
            if (length == 0) {
                end();
            }
        }

        @Override
        int readMore(byte[] b, int off, int len) throws IOException {
            int n = c.in.read(b, off, (int) Math.min(len, remaining));
            if (n == -1) {
                if (remaining == Long.MAX_VALUE) {
                    done = true;
                    c.close();
                    return -1;
                }
                throw new EOFException("upstream closed the connection with " + remaining + " body bytes missing");
            }
            remaining -= n;
            if (remaining == 0) {
                end();
            }
            return n;
        }

        @Override
        public int available() throws IOException {
            return done ? 0 : (int) Math.min(c.in.available(), remaining);
        }

        private void end() {
            done = true;
            c.finished();
        }

        /** Closing early: the rest is consumed when it has already arrived, else the connection is closed. */
        @Override
        public void close() {
            try {
                byte[] skip = new byte[512];
                while (!done && remaining != Long.MAX_VALUE && c.in.available() > 0) {
                    read(skip, 0, skip.length);
                }
            } catch (IOException e) {
                // fall through: the connection is closed below
            }
            if (!done) {
                done = true;
                c.close();
            }
        }
    }

    /** A chunked body (RFC 9112 §7.1); trailers are read and dropped. */
    private static final class ChunkedBody extends Body {
        private long chunkLeft;

        ChunkedBody(Connection c) {
            super(c);
        }

        @Override
        int readMore(byte[] b, int off, int len) throws IOException {
            if (chunkLeft == 0 && !nextChunk()) {
                return -1;
            }
            int n = c.in.read(b, off, (int) Math.min(len, chunkLeft));
            if (n == -1) {
                throw new EOFException("upstream closed the connection mid-chunk");
            }
            chunkLeft -= n;
            if (chunkLeft == 0) {
                crlf();
            }
            return n;
        }

        /** Reads the next chunk header; false (and the connection released) at the last chunk. */
        private boolean nextChunk() throws IOException {
            String size = rawLine();
            int semicolon = size.indexOf(';');
            try {
                chunkLeft = Long.parseLong((semicolon < 0 ? size : size.substring(0, semicolon)).strip(), 16);
            } catch (NumberFormatException e) {
                throw new IOException("bad chunk size from upstream: " + size);
            }
            if (chunkLeft > 0) {
                return true;
            }
            while (!rawLine().isEmpty()) {
                // trailer fields: dropped
            }
            done = true;
            c.finished();
            return false;
        }

        private void crlf() throws IOException {
            if (!rawLine().isEmpty()) {
                throw new IOException("chunk not followed by CRLF");
            }
        }

        private String rawLine() throws IOException {
            String line = readLine(c.in, new StringBuilder(16), "chunk header");
            if (line == null) {
                throw new EOFException("upstream closed the connection mid-chunk");
            }
            return line;
        }

        /**
         * Closing before the last chunk: when the rest of the body has already arrived (a JSON reader
         * stops after the closing brace, before the {@code 0} chunk) it is consumed and the connection
         * kept; otherwise the connection is closed, abandoning the exchange.
         */
        @Override
        public void close() {
            if (done) {
                return;
            }
            try {
                byte[] skip = new byte[512];
                while (!done && c.in.available() > 0) {
                    if (read(skip, 0, skip.length) == -1) {
                        return;
                    }
                }
            } catch (IOException e) {
                // fall through: the connection is closed below
            }
            if (!done) {
                done = true;
                c.close();
            }
        }
    }

    /**
     * One LF-terminated line from {@code in}, without its CR LF, read into the empty {@code sb}; null
     * when the stream ends before the LF (what was read stays in {@code sb}). A line longer than
     * {@link #MAX_HEADER_LINE} bytes is refused as "{@code what} longer than ...".
     */
    private static String readLine(InputStream in, StringBuilder sb, String what) throws IOException {
        while (true) {
            int b = in.read();
            if (b == -1) {
                return null;
            }
            if (b == '\n') {
                int end = sb.length();
                if (end > 0 && sb.charAt(end - 1) == '\r') {
                    sb.setLength(end - 1);
                }
                return sb.toString();
            }
            if (sb.length() >= MAX_HEADER_LINE) {
                throw new IOException(what + " longer than " + MAX_HEADER_LINE + " bytes");
            }
            sb.append((char) b);
        }
    }
}
