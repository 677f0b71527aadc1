package dev.strata.bench.gateway;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Reads HTTP/1.1 messages off one keep-alive connection, just enough of the protocol for the
 * benchmark: the first line, the framing headers ({@code Content-Length}, {@code Transfer-Encoding:
 * chunked}, {@code Connection: close}) and the body, which is skipped.
 */
final class Http1Reader {
    private static final int MAX_LINE_BYTES = 16 * 1024;

    private final InputStream in;
    private final byte[] line = new byte[MAX_LINE_BYTES];
    private boolean reusable;

    /** @param in a buffered stream (one byte is read at a time while parsing the head) */
    Http1Reader(InputStream in) {
        this.in = in;
    }

    /**
     * Reads one message, head and body.
     *
     * @param response whether it is a response (the status code is returned) or a request (0 is returned)
     * @return the status code, 0 for a request, or -1 when the peer closed the connection before a new message
     */
    int read(boolean response) throws IOException {
        int length = readLine(true);
        if (length < 0) {
            return -1;
        }
        int status = response ? statusOf(length) : 0;
        long contentLength = -1;
        boolean chunked = false;
        reusable = true;
        while ((length = readLine(false)) > 0) {
            if (startsWithIgnoreCase(length, "content-length:")) {
                contentLength = Long.parseLong(valueOf(length, "content-length:".length()));
            } else if (startsWithIgnoreCase(length, "transfer-encoding:")) {
                chunked = valueOf(length, "transfer-encoding:".length()).toLowerCase(java.util.Locale.ROOT)
                        .contains("chunked");
            } else if (startsWithIgnoreCase(length, "connection:")) {
                reusable = !valueOf(length, "connection:".length()).equalsIgnoreCase("close");
            }
        }
        if (chunked) {
            skipChunks();
        } else if (contentLength >= 0) {
            in.skipNBytes(contentLength);
        } else if (response && status >= 200 && status != 204 && status != 304) {
            in.transferTo(java.io.OutputStream.nullOutputStream()); // delimited by the close
            reusable = false;
        }
        return status;
    }

    /** Whether the connection may carry another message after the last one read. */
    boolean reusable() {
        return reusable;
    }

    private void skipChunks() throws IOException {
        while (true) {
            int length = readLine(false);
            int end = 0;
            while (end < length && line[end] != ';' && line[end] != ' ') {
                end++;
            }
            long size = Long.parseLong(new String(line, 0, end, StandardCharsets.US_ASCII), 16);
            if (size == 0) {
                while (readLine(false) > 0) {
                    // trailers
                }
                return;
            }
            in.skipNBytes(size);
            readLine(false); // CRLF after the chunk
        }
    }

    private int statusOf(int length) throws IOException {
        // "HTTP/1.1 200 OK"
        if (length < 12 || line[8] != ' ') {
            throw new IOException("not an HTTP/1.1 status line: " + new String(line, 0, length, StandardCharsets.US_ASCII));
        }
        return (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
    }

    /** Reads up to CRLF into {@link #line}; returns its length without CRLF, or -1 at EOF before any byte when allowed. */
    private int readLine(boolean eofAllowed) throws IOException {
        int n = 0;
        while (true) {
            int b = in.read();
            if (b < 0) {
                if (n == 0 && eofAllowed) {
                    return -1;
                }
                throw new EOFException("connection closed mid-message");
            }
            if (b == '\n') {
                return n > 0 && line[n - 1] == '\r' ? n - 1 : n;
            }
            if (n == line.length) {
                throw new IOException("header line longer than " + MAX_LINE_BYTES + " bytes");
            }
            line[n++] = (byte) b;
        }
    }

    private boolean startsWithIgnoreCase(int length, String prefix) {
        if (length < prefix.length()) {
            return false;
        }
        for (int i = 0; i < prefix.length(); i++) {
            if (Character.toLowerCase(line[i]) != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private String valueOf(int length, int from) {
        return new String(line, from, length - from, StandardCharsets.US_ASCII).trim();
    }
}
