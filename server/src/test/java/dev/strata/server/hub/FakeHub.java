package dev.strata.server.hub;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A local stand-in for the Hugging Face hub on 127.0.0.1: the tree API with LFS metadata, and
 * {@code /resolve/} answering through a 302 to a "CDN" path that honours {@code Range}, like the
 * real hub. It can cut the next download short or serve corrupted bytes.
 */
public final class FakeHub implements AutoCloseable {
    private final HttpServer server;
    private final Map<String, byte[]> files = new LinkedHashMap<>();
    private final String repo;
    private volatile String requiredToken;
    private volatile long cutAfterBytes = -1;
    private volatile boolean corrupt;
    public final AtomicInteger rangeRequests = new AtomicInteger();

    public FakeHub(String repo) throws IOException {
        this.repo = repo;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", this::handle);
        server.start();
    }

    public URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    public void put(String path, byte[] content) {
        files.put(path, content);
    }

    public void requireToken(String token) {
        requiredToken = token;
    }

    /** The next download sends only this many bytes, then drops the connection. */
    public void cutNextDownloadAfter(long bytes) {
        cutAfterBytes = bytes;
    }

    public void corruptDownloads(boolean on) {
        corrupt = on;
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            if (requiredToken != null && !("Bearer " + requiredToken).equals(ex.getRequestHeaders().getFirst("Authorization"))
                    && !path.startsWith("/cdn/")) {
                ex.sendResponseHeaders(401, -1);
                return;
            }
            if (path.equals("/api/models/" + repo + "/tree/main")) {
                StringBuilder json = new StringBuilder("[{\"type\":\"file\",\"path\":\"README.md\",\"size\":10}");
                for (Map.Entry<String, byte[]> f : files.entrySet()) {
                    json.append(",{\"type\":\"file\",\"oid\":\"abc\",\"size\":").append(f.getValue().length)
                            .append(",\"path\":\"").append(f.getKey()).append("\",\"lfs\":{\"oid\":\"")
                            .append(sha256(f.getValue())).append("\",\"size\":").append(f.getValue().length)
                            .append(",\"pointerSize\":135}}");
                }
                byte[] body = json.append(']').toString().getBytes();
                ex.getResponseHeaders().add("Content-Type", "application/json");
                ex.sendResponseHeaders(200, body.length);
                ex.getResponseBody().write(body);
            } else if (path.startsWith("/" + repo + "/resolve/main/")) {
                ex.getResponseHeaders().add("Location", "/cdn/" + path.substring(("/" + repo + "/resolve/main/").length()));
                ex.sendResponseHeaders(302, -1);
            } else if (path.startsWith("/cdn/") && files.containsKey(path.substring(5))) {
                serve(ex, files.get(path.substring(5)));
            } else {
                ex.sendResponseHeaders(404, -1);
            }
        }
    }

    private void serve(HttpExchange ex, byte[] content) throws IOException {
        byte[] data = content.clone();
        if (corrupt) {
            data[data.length / 2] ^= 0x55;
        }
        int from = 0;
        String range = ex.getRequestHeaders().getFirst("Range");
        if (range != null && range.startsWith("bytes=")) {
            from = Integer.parseInt(range.substring(6, range.indexOf('-')));
            rangeRequests.incrementAndGet();
            ex.getResponseHeaders().add("Content-Range", "bytes " + from + "-" + (data.length - 1) + "/" + data.length);
            ex.sendResponseHeaders(206, data.length - from);
        } else {
            ex.sendResponseHeaders(200, data.length);
        }
        OutputStream out = ex.getResponseBody();
        long cut = cutAfterBytes;
        cutAfterBytes = -1;
        int end = cut >= 0 ? (int) Math.min(data.length, from + cut) : data.length;
        out.write(data, from, end - from);
        out.flush();
        if (end < data.length) {
            throw new IOException("cut on purpose"); // drops the connection mid-body
        }
    }

    static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
