package dev.strata.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.bench.gateway.FakeUpstream;
import dev.strata.bench.gateway.GatewayProcess;
import dev.strata.bench.gateway.KeepAliveClient;
import dev.strata.bench.gateway.OverheadRun;
import dev.strata.bench.gateway.OverheadRun.Target;
import dev.strata.bench.gateway.OverheadTable;
import dev.strata.bench.gateway.PortkeyInstall;
import dev.strata.bench.gateway.TcpRelay;
import dev.strata.server.config.ServerConfig;
import dev.strata.bench.gateway.ProcessUsage;
import dev.strata.bench.gateway.StrataServe;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * {@code ./strata bench gateway}: latency, CPU and memory one Strata route adds over calling a fast fake
 * upstream directly, open loop at fixed rates, with Portkey's open-source gateway as a peer in the same
 * run: at every tick one request to the upstream, one through Strata and one through Portkey (issue 9).
 * Strata and Portkey each run as a child process on loopback.
 */
@Command(name = "gateway", mixinStandardHelpOptions = true,
        description = "Latency, CPU and RSS Strata's routing adds over a direct call to a fast upstream, "
                + "Portkey's gateway alongside (open loop, loopback).")
final class GatewayCommand implements Callable<Integer> {
    /**
     * Peers the run can include besides Strata: Portkey's gateway, and the floor any gateway process
     * pays on this machine ({@link TcpRelay}, a byte relay with no HTTP work at all).
     */
    enum Peer { portkey, relay, none }

    private static final String BODY =
            "{\"model\":\"" + StrataServe.ROUTE + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":1}";
    private static final String PATH = "/v1/chat/completions";

    @Option(names = "--rates", split = ",", defaultValue = "200,500,1000,2000,5000",
            description = "offered requests/s (default: ${DEFAULT-VALUE})")
    List<Integer> rates;

    @Option(names = "--seconds", defaultValue = "5", description = "seconds per rate (default: ${DEFAULT-VALUE})")
    double seconds;

    @Option(names = "--warmup-seconds", defaultValue = "10",
            description = "seconds at 200 req/s to every target before the measured rates, results dropped "
                    + "(default: ${DEFAULT-VALUE})")
    double warmupSeconds;

    @Option(names = "--peer", defaultValue = "portkey", split = ",",
            description = "peer gateways in the same run, comma-separated: ${COMPLETION-CANDIDATES} (default: "
                    + "${DEFAULT-VALUE}; portkey is installed with npm under ~/.cache/strata/portkey on first use, and "
                    + "skipped when node or npm is missing; relay is a bare TCP relay process, the floor of what "
                    + "one more hop costs here)")
    List<Peer> peers;

    @Option(names = "--request-threads", defaultValue = "virtual", converter = RequestThreadsConverter.class,
            description = "Strata's server.request_threads: virtual or platform (default: ${DEFAULT-VALUE})")
    ServerConfig.RequestThreads requestThreads;

    /** {@code --request-threads} as the config file spells it. */
    static final class RequestThreadsConverter implements CommandLine.ITypeConverter<ServerConfig.RequestThreads> {
        @Override
        public ServerConfig.RequestThreads convert(String value) {
            return ServerConfig.RequestThreads.fromConfig(value).orElseThrow(() ->
                    new CommandLine.TypeConversionException("expected virtual or platform, got '" + value + "'"));
        }
    }

    @Option(names = "--json", description = "print one JSON object")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (peers.contains(Peer.none) && peers.size() > 1) {
            System.err.println("bench gateway: --peer none cannot be combined with other peers");
            return 2;
        }
        if (rates.isEmpty() || rates.stream().anyMatch(r -> r < 1) || !(seconds > 0)
                || !(warmupSeconds > 0)) {
            System.err.println("bench gateway: --rates must be positive integers, --seconds and --warmup-seconds > 0");
            return 2;
        }
        StrataServe strata = StrataServe.under(Path.of(System.getenv().getOrDefault("STRATA_HOME", ".")));
        if (!strata.present()) {
            System.err.println("bench gateway: needs " + strata.jar() + " and " + strata.model()
                    + " (run ./strata build)");
            return 2;
        }
        Cleanup cleanup = new Cleanup();
        Thread hook = new Thread(cleanup::run, "bench-gateway-cleanup");
        Runtime.getRuntime().addShutdownHook(hook); // ctrl-C: children stopped too
        Path workDir = cleanup.add(new WorkDir(Files.createTempDirectory("strata-bench-gateway"))).path();
        try {
            FakeUpstream upstream = cleanup.add(FakeUpstream.start());
            InetSocketAddress upstreamAddress = new InetSocketAddress(InetAddress.getLoopbackAddress(), upstream.port());
            String upstreamBase = "http://127.0.0.1:" + upstream.port() + "/v1";
            Target direct = new Target("direct", upstreamAddress,
                    KeepAliveClient.post(upstreamAddress, PATH, Map.of(), BODY), Optional.empty());
            List<Target> gateways = new ArrayList<>();

            int strataPort = GatewayProcess.freePort();
            GatewayProcess strataProcess = cleanup.add(GatewayProcess.start("strata",
                    strata.command(workDir, strataPort, upstreamBase, requestThreads.configValue()), strataPort, workDir.resolve("strata.log"),
                    "/health/ready", List.of(200), Duration.ofSeconds(120)));
            gateways.add(new Target("strata", strataProcess.address(),
                    KeepAliveClient.post(strataProcess.address(), PATH, Map.of(), BODY),
                    Optional.of(strataProcess.handle())));

            if (peers.contains(Peer.portkey)) {
                startPortkey(cleanup, workDir, upstreamBase).ifPresent(p -> gateways.add(new Target("portkey",
                        p.address(), KeepAliveClient.post(p.address(), PATH, PortkeyInstall.headers(upstreamBase),
                                BODY), Optional.of(p.handle()))));
            }
            if (peers.contains(Peer.relay)) {
                int relayPort = GatewayProcess.freePort();
                GatewayProcess relay = cleanup.add(GatewayProcess.start("relay",
                        strata.relayCommand(relayPort, upstream.port()), relayPort, workDir.resolve("relay.log"), "/",
                        List.of(), Duration.ofSeconds(30)));
                gateways.add(new Target("relay", relay.address(),
                        KeepAliveClient.post(relay.address(), PATH, Map.of(), BODY), Optional.of(relay.handle())));
            }

            Optional<ProcessUsage> usage = ProcessUsage.available() ? Optional.of(ProcessUsage.fromSystem())
                    : Optional.empty();
            OverheadRun run = new OverheadRun(direct, gateways, usage, seconds, Duration.ofSeconds(3), 256);
            var warm = run.warmUp(200, warmupSeconds); // JIT and connections; results dropped
            for (Target g : gateways) {
                int errors = warm.gateways().get(g.name()).run().errors();
                if (errors > 0) {
                    System.err.printf("bench gateway: %s answered %d warm-up requests with errors%n", g.name(), errors);
                }
            }
            double load = java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
            if (!json) {
                System.out.printf(Locale.ROOT, "load average (1 min) at start: %.2f on %d cores; %.0f s per rate, "
                        + "latencies in µs%n", load, Runtime.getRuntime().availableProcessors(), seconds);
            }
            OverheadTable table = run.run(rates);
            if (cleanup.done()) {
                System.err.println("bench gateway: interrupted; no results");
                return 130;
            }
            if (json) {
                System.out.println(new ObjectMapper().writeValueAsString(table.toJson(new ObjectMapper())));
            } else {
                table.print(System.out);
            }
            return 0;
        } catch (IOException e) {
            System.err.println("bench gateway: " + e.getMessage());
            return 1;
        } finally {
            cleanup.run();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // already shutting down: the hook runs the (idempotent) cleanup
            }
        }
    }

    private static Optional<GatewayProcess> startPortkey(Cleanup cleanup, Path workDir, String upstreamBase)
            throws InterruptedException, IOException {
        int port = GatewayProcess.freePort();
        Optional<List<String>> command = PortkeyInstall.inUserCache().command(port, System.err::println);
        if (command.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(cleanup.add(GatewayProcess.start("portkey", command.get(), port,
                    workDir.resolve("portkey.log"), "/", List.of(), Duration.ofSeconds(60))));
        } catch (IOException e) {
            System.err.println("portkey: did not start (" + e.getMessage() + "); running without the Portkey column");
            return Optional.empty();
        }
    }

    /** The run's temporary directory (configs, logs, Strata's data dir), deleted when closed. */
    private record WorkDir(Path path) implements AutoCloseable {
        @Override
        public void close() {
            try (Stream<Path> paths = Files.walk(path)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                // a temp directory left behind
            }
        }
    }

    /** Closes what the run started, newest first, once (normal end, error or shutdown hook). */
    private static final class Cleanup implements Runnable {
        private final Deque<AutoCloseable> resources = new ArrayDeque<>();
        private boolean done;

        synchronized <T extends AutoCloseable> T add(T resource) {
            resources.push(resource);
            if (done) { // started while the shutdown hook ran: stop it too
                run();
            }
            return resource;
        }

        /** Whether it ran already (at the end, or from the shutdown hook mid-run). */
        synchronized boolean done() {
            return done;
        }

        @Override
        public synchronized void run() {
            done = true;
            while (!resources.isEmpty()) {
                try {
                    resources.pop().close();
                } catch (Exception e) {
                    // best effort: the others still get closed
                }
            }
        }
    }
}
