package dev.strata.bench.gateway;

import dev.strata.bench.gateway.GatewayOverheadBenchmark.Run;
import dev.strata.bench.gateway.OverheadTable.GatewayRow;
import dev.strata.bench.gateway.OverheadTable.RateRow;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * Runs the rates of {@code ./strata bench gateway}: for each, fresh keep-alive clients to the upstream
 * (direct) and every gateway, one open-loop run over all of them side by side, and the CPU and RSS of
 * each gateway that is its own process, read before and after the run's window.
 *
 * @param direct      the fake upstream itself
 * @param gateways    the gateways, in column order
 * @param usage       reads /proc; empty where there is none (then no CPU and RSS columns)
 * @param seconds     seconds per rate
 * @param grace       how long to wait for stragglers after the last scheduled send
 * @param connections connections per target at most
 */
public record OverheadRun(Target direct, List<Target> gateways, Optional<ProcessUsage> usage, double seconds,
        Duration grace, int connections) {
    /** Request timeout of the clients (stragglers are cut earlier by {@link #grace}). */
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    /**
     * Where to send requests, the exact request, and the process to read CPU and RSS of (empty when it
     * shares the benchmark's process).
     */
    public record Target(String name, InetSocketAddress address, byte[] request, Optional<ProcessHandle> process) {
        public Target {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(address, "address");
            request = request.clone();
            Objects.requireNonNull(process, "process");
        }
    }

    public OverheadRun {
        gateways = List.copyOf(gateways);
        if (!(seconds > 0)) {
            throw new IllegalArgumentException("seconds must be > 0, got " + seconds);
        }
        if (connections < 1) {
            throw new IllegalArgumentException("connections must be >= 1, got " + connections);
        }
    }

    /** Runs each rate in turn and returns the table. */
    public OverheadTable run(List<Integer> rates) throws IOException, InterruptedException {
        List<RateRow> rows = new ArrayList<>();
        for (int rate : rates) {
            rows.add(runRate(rate, seconds));
        }
        return new OverheadTable(gateways.stream().map(Target::name).toList(), rows);
    }

    /** One run at {@code rate} whose results are dropped: connections opened, JIT warmed. */
    public RateRow warmUp(int rate, double warmUpSeconds) throws IOException, InterruptedException {
        return runRate(rate, warmUpSeconds);
    }

    private RateRow runRate(int rate, double runSeconds) throws IOException, InterruptedException {
        if (rate < 1) {
            throw new IllegalArgumentException("rate must be >= 1 req/s, got " + rate);
        }
        List<KeepAliveClient> clients = new ArrayList<>();
        clients.add(client(direct));
        for (Target g : gateways) {
            clients.add(client(g));
        }
        Optional<ProcessUsage.Sample> harnessBefore = harnessSample();
        Map<String, ProcessUsage.Sample> before = samples();
        List<Run> runs;
        try {
            runs = GatewayOverheadBenchmark.run(clients, rate, runSeconds, grace);
        } finally {
            clients.forEach(KeepAliveClient::close);
        }
        Map<String, ProcessUsage.Sample> after = samples();
        Optional<ProcessUsage.Sample> harnessAfter = harnessSample();
        Map<String, GatewayRow> row = new HashMap<>();
        for (int i = 0; i < gateways.size(); i++) {
            String name = gateways.get(i).name();
            Run r = runs.get(i + 1);
            ProcessUsage.Sample b = before.get(name);
            ProcessUsage.Sample a = after.get(name);
            row.put(name, b == null || a == null ? new GatewayRow(r, OptionalDouble.empty(), OptionalLong.empty())
                    : new GatewayRow(r, OptionalDouble.of((a.cpuNanos() - b.cpuNanos()) / 1e3 / r.requests()),
                            OptionalLong.of(a.rssBytes())));
        }
        OptionalDouble harnessCpu = harnessBefore.isEmpty() || harnessAfter.isEmpty() ? OptionalDouble.empty()
                : OptionalDouble.of((harnessAfter.get().cpuNanos() - harnessBefore.get().cpuNanos()) / 1e3
                        / ((long) runs.get(0).requests() * runs.size()));
        return new RateRow(rate, runs.get(0), row, harnessCpu);
    }

    private KeepAliveClient client(Target t) {
        return new KeepAliveClient(t.address(), t.request(), connections, TIMEOUT);
    }

    /** This process alone (its children are the gateways, measured apart). */
    private Optional<ProcessUsage.Sample> harnessSample() throws IOException {
        return usage.isEmpty() ? Optional.empty()
                : Optional.of(usage.get().sampleOwn(ProcessHandle.current()));
    }

    private Map<String, ProcessUsage.Sample> samples() throws IOException {
        Map<String, ProcessUsage.Sample> samples = new HashMap<>();
        if (usage.isPresent()) {
            for (Target g : gateways) {
                if (g.process().isPresent()) {
                    samples.put(g.name(), usage.get().sample(g.process().get()));
                }
            }
        }
        return samples;
    }
}
