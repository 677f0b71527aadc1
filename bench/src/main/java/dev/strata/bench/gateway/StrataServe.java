package dev.strata.bench.gateway;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Strata as the benchmark's own child process: {@code java -jar server/target/strata.jar serve} with
 * the launcher's JVM flags and a config of one route ({@code fast}) to the fake upstream, the demo model
 * (the registry needs one), no gRPC, request logging off.
 *
 * @param java  the java binary (the benchmark's own)
 * @param jar   {@code server/target/strata.jar}
 * @param model the demo GGUF model
 */
public record StrataServe(Path java, Path jar, Path model) {
    /** The JVM flags {@code ./strata} runs the server with. */
    private static final List<String> JVM_FLAGS = List.of("--add-modules", "jdk.incubator.vector",
            "--enable-native-access=ALL-UNNAMED", "-XX:+UseParallelGC", "-Xss4m",
            "-Djdk.incubator.vector.VECTOR_ACCESS_OOB_CHECK=0");

    /** The route name requests use as their {@code model}. */
    public static final String ROUTE = "fast";

    /** Paths under {@code strataHome} (the launcher's {@code STRATA_HOME}), java from this process. */
    public static StrataServe under(Path strataHome) {
        Path java = ProcessHandle.current().info().command().map(Path::of)
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java"));
        return new StrataServe(java, strataHome.resolve("server/target/strata.jar"),
                strataHome.resolve("models/stories260K.gguf"));
    }

    /**
     * The {@link TcpRelay} process: the same java, the benchmark's own jar (where this class was
     * loaded from), listening on {@code port} and relaying to {@code upstreamPort}, both on 127.0.0.1.
     */
    public List<String> relayCommand(int port, int upstreamPort) {
        String classpath;
        try {
            classpath = Path.of(TcpRelay.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException("cannot locate the benchmark's classes", e);
        }
        return List.of(java.toString(), "-XX:+UseSerialGC", "-Xmx64m", "-cp", classpath, TcpRelay.class.getName(),
                "--listen", Integer.toString(port), "--to", Integer.toString(upstreamPort));
    }

    /** Whether the jar and model exist (the jar after {@code ./strata build}). */
    public boolean present() {
        return Files.isRegularFile(jar) && Files.isRegularFile(model);
    }

    /**
     * The YAML config: one route to the upstream at {@code upstreamBaseUrl} (…/v1), listening on
     * {@code port}, requests on {@code requestThreads} threads ({@code virtual} or {@code platform}).
     */
    public String config(int port, String upstreamBaseUrl, String requestThreads) {
        return """
                server:
                  host: 127.0.0.1
                  port: %d
                  grpc_port: -1
                  request_threads: %s
                  limits: {max_concurrent_requests: 4096}
                models:
                  - {path: "%s", threads: 1}
                observe: {log_level: warn}
                gateway:
                  upstreams:
                    - {name: fake, base_url: "%s", max_connections: 4096}
                  routes:
                    - {name: %s, targets: [fake]}
                """.formatted(port, requestThreads, model.toAbsolutePath(), upstreamBaseUrl, ROUTE);
    }

    /** Writes the config and a data directory under {@code workDir}; returns the command line. */
    public List<String> command(Path workDir, int port, String upstreamBaseUrl, String requestThreads)
            throws IOException {
        Path config = Files.writeString(workDir.resolve("strata.yaml"), config(port, upstreamBaseUrl, requestThreads));
        Path data = Files.createDirectories(workDir.resolve("data"));
        List<String> command = new ArrayList<>();
        command.add(java.toString());
        command.addAll(JVM_FLAGS);
        command.addAll(List.of("-jar", jar.toString(), "serve", "--config", config.toString(), "--data-dir",
                data.toString()));
        return command;
    }
}
