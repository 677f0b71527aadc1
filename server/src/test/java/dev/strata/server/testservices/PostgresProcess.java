package dev.strata.server.testservices;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real PostgreSQL server in a temporary directory on 127.0.0.1 and a free port (trust auth, no
 * password), started with the installed {@code initdb}/{@code pg_ctl}. PostgreSQL refuses to run
 * as root, so as root the commands run as the {@code postgres} user through {@code runuser}.
 */
public final class PostgresProcess implements AutoCloseable {
    public static final String MISSING = "PostgreSQL binaries (initdb, pg_ctl) are not installed "
            + "(run .ci/services, or apt-get install postgresql); PostgreSQL tests are SKIPPED, not passed";

    private final Path bin;
    private final Path dir;
    private final int port;
    private final boolean asPostgres;

    private PostgresProcess(Path bin, Path dir, int port, boolean asPostgres) {
        this.bin = bin;
        this.dir = dir;
        this.port = port;
        this.asPostgres = asPostgres;
    }

    /** The directory holding initdb and pg_ctl of the newest installed version, if any. */
    public static Optional<Path> find() {
        Path root = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(root)) {
            return Optional.empty();
        }
        try (Stream<Path> versions = Files.list(root)) {
            return versions.map(v -> v.resolve("bin")).filter(b -> Files.isExecutable(b.resolve("initdb")))
                    .max(Comparator.comparing(Path::toString));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    public static PostgresProcess start() throws IOException, InterruptedException {
        Path bin = find().orElseThrow(() -> new IllegalStateException(MISSING));
        boolean root = "root".equals(System.getProperty("user.name"));
        Path dir = Files.createTempDirectory("strata-pg-");
        PostgresProcess pg = new PostgresProcess(bin, dir, RedisProcess.freePort(), root);
        if (root) {
            run(List.of("chown", "postgres", dir.toString()));
        }
        pg.exec(List.of(bin.resolve("initdb").toString(), "-D", dir.resolve("data").toString(), "-U", "postgres",
                "-A", "trust", "--no-sync"));
        pg.exec(List.of(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-w", "-t", "30",
                "-l", dir.resolve("log").toString(), "-o",
                "-p " + pg.port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c fsync=off", "start"));
        return pg;
    }

    /** JDBC URL of the {@code postgres} database as user {@code postgres}. */
    public String url() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=postgres";
    }

    private void exec(List<String> command) throws IOException, InterruptedException {
        List<String> full = new ArrayList<>();
        if (asPostgres) {
            full.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        full.addAll(command);
        run(full);
    }

    private static void run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
        }
    }

    @Override
    public void close() throws IOException {
        try {
            exec(List.of(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-m", "immediate",
                    "stop"));
            run(List.of("rm", "-rf", dir.toString()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
