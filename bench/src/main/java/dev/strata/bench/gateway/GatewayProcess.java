package dev.strata.bench.gateway;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A gateway the benchmark runs as its own process (so its CPU and memory can be read apart from the
 * load generator's): started on a loopback port, polled until it answers, stopped with SIGTERM and then,
 * after a bounded wait, killed together with its descendants.
 */
public final class GatewayProcess implements AutoCloseable {
    private static final Duration STOP_WAIT = Duration.ofSeconds(5);

    private final String name;
    private final Process process;
    private final int port;
    private final Path log;

    private GatewayProcess(String name, Process process, int port, Path log) {
        this.name = name;
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /**
     * Starts {@code command} (output to {@code log}) and waits until a GET of {@code readyPath} on
     * {@code port} answers with a status in {@code readyStatuses} (any status when empty).
     *
     * @throws IOException when it exits or is not ready within {@code timeout} (it is stopped then)
     */
    public static GatewayProcess start(String name, List<String> command, int port, Path log, String readyPath,
            List<Integer> readyStatuses, Duration timeout) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        process.getOutputStream().close(); // no input
        GatewayProcess started = new GatewayProcess(name, process, port, log);
        try {
            started.awaitReady(readyPath, readyStatuses, timeout);
            return started;
        } catch (IOException | InterruptedException | RuntimeException e) {
            started.close();
            throw e;
        }
    }

    /** A port that was free a moment ago on 127.0.0.1 (the child binds it right after). */
    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    public String name() {
        return name;
    }

    public int port() {
        return port;
    }

    public ProcessHandle handle() {
        return process.toHandle();
    }

    public InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
    }

    private void awaitReady(String path, List<Integer> statuses, Duration timeout)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (KeepAliveClient probe = new KeepAliveClient(address(), KeepAliveClient.get(address(), path), 1,
                Duration.ofSeconds(2))) {
            while (true) {
                if (!process.isAlive()) {
                    throw new IOException(name + " exited with status " + process.exitValue() + " before it was ready"
                            + tail());
                }
                try {
                    int status = probe.send();
                    if (statuses.isEmpty() || statuses.contains(status)) {
                        return;
                    }
                } catch (IOException e) {
                    // not listening yet
                }
                if (System.nanoTime() > deadline) {
                    throw new IOException(name + " not ready after " + timeout.toSeconds() + " s" + tail());
                }
                Thread.sleep(100);
            }
        }
    }

    /** The last lines of the process's output, for an error message. */
    private String tail() {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return lines.isEmpty() ? "" : "; its output ends with: "
                    + String.join(" | ", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    /** SIGTERM, a bounded wait, then SIGKILL to it and its descendants. Idempotent. */
    @Override
    public void close() {
        List<ProcessHandle> descendants = process.descendants().toList();
        process.destroy();
        try {
            if (!process.waitFor(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        for (ProcessHandle child : descendants) {
            child.destroyForcibly();
        }
    }
}
