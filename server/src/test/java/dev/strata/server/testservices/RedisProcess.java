package dev.strata.server.testservices;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code redis-server} on 127.0.0.1 and a free port, for tests; no persistence. It can be
 * killed and started again on the same port (to test failover). {@link #find()} is empty when no
 * redis-server is installed (the test command installs it with apt where it can: .ci/services).
 */
public final class RedisProcess implements AutoCloseable {
    private static final List<Path> CANDIDATES = List.of(Path.of("/usr/bin/redis-server"),
            Path.of("/usr/local/bin/redis-server"), Path.of("/opt/homebrew/bin/redis-server"));

    private final Path binary;
    private final int port;
    private Process process;

    private RedisProcess(Path binary, int port) {
        this.binary = binary;
        this.port = port;
    }

    /** The installed redis-server, if any. */
    public static Optional<Path> find() {
        return CANDIDATES.stream().filter(Files::isExecutable).findFirst();
    }

    /** Why Redis tests are skipped, for assumption messages. */
    public static final String MISSING = "redis-server is not installed and could not be installed "
            + "(run .ci/services, or apt-get install redis-server); Redis-backed tests are SKIPPED, not passed";

    public static RedisProcess start() throws IOException, InterruptedException {
        RedisProcess r = new RedisProcess(find().orElseThrow(() -> new IllegalStateException(MISSING)), freePort());
        r.startAgain();
        return r;
    }

    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    /** Starts redis-server (again) on the same port and waits until it answers PING. */
    public void startAgain() throws IOException, InterruptedException {
        process = new ProcessBuilder(binary.toString(), "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--protected-mode", "no")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!ping()) {
            if (System.nanoTime() > deadline || !process.isAlive()) {
                throw new IllegalStateException("redis-server did not start on port " + port);
            }
            Thread.onSpinWait();
        }
    }

    /** Kills the server at once (SIGKILL), as a crash would. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    private boolean ping() {
        try (Socket s = new Socket("127.0.0.1", port)) {
            OutputStream out = s.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[7];
            int n = in.readNBytes(buf, 0, 7);
            return new String(buf, 0, n, StandardCharsets.US_ASCII).startsWith("+PONG");
        } catch (IOException e) {
            return false;
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() {
        if (process != null) {
            process.destroyForcibly();
        }
    }
}
