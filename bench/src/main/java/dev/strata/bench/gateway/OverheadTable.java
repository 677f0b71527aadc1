package dev.strata.bench.gateway;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.bench.gateway.GatewayOverheadBenchmark.Run;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * Results of {@code ./strata bench gateway}: per offered rate, the direct run and each gateway's run,
 * with what the gateway adds over direct and the highest rate each gateway sustains.
 *
 * @param gateways gateway names in column order (e.g. strata, portkey)
 */
public record OverheadTable(List<String> gateways, List<RateRow> rows) {
    /** A gateway sustains a rate when it answers ≥ 99 % of the offered rate… */
    static final double SUSTAINED_FRACTION = 0.99;
    /** …and adds less than 10 ms at p99. */
    static final long SUSTAINED_ADDED_P99_MICROS = 10_000;

    public OverheadTable {
        gateways = List.copyOf(gateways);
        rows = List.copyOf(rows);
    }

    /**
     * One gateway at one rate.
     *
     * @param cpuMicrosPerRequest CPU the gateway process used in the run's window per request sent, when
     *                            it runs as its own process
     * @param rssBytes            its resident memory at the end of the window, likewise
     */
    public record GatewayRow(Run run, OptionalDouble cpuMicrosPerRequest, OptionalLong rssBytes) {
        public GatewayRow {
            Objects.requireNonNull(run, "run");
            Objects.requireNonNull(cpuMicrosPerRequest, "cpuMicrosPerRequest");
            Objects.requireNonNull(rssBytes, "rssBytes");
        }
    }

    /**
     * One offered rate: the direct run and the gateways' runs, by name.
     *
     * @param harnessCpuMicrosPerRequest CPU of the benchmark's own process (load generator and fake
     *                                   upstream, plus any gateway running in it) per request sent to any
     *                                   target, when measured
     */
    public record RateRow(int rate, Run direct, Map<String, GatewayRow> gateways,
            OptionalDouble harnessCpuMicrosPerRequest) {
        public RateRow {
            Objects.requireNonNull(direct, "direct");
            Objects.requireNonNull(harnessCpuMicrosPerRequest, "harnessCpuMicrosPerRequest");
            gateways = Map.copyOf(gateways);
        }

        /** Gateway p50 minus direct p50 (empty when either had no successful answer). */
        public OptionalLong addedP50Micros(String gateway) {
            Run g = gateways.get(gateway).run();
            return answered(g) && answered(direct) ? OptionalLong.of(g.p50Micros() - direct.p50Micros())
                    : OptionalLong.empty();
        }

        /** Gateway p99 minus direct p99 (empty when either had no successful answer). */
        public OptionalLong addedP99Micros(String gateway) {
            Run g = gateways.get(gateway).run();
            return answered(g) && answered(direct) ? OptionalLong.of(g.p99Micros() - direct.p99Micros())
                    : OptionalLong.empty();
        }

        /** Whether the gateway kept up at this rate: achieved ≥ 99 % of offered and added p99 < 10 ms. */
        public boolean sustained(String gateway) {
            Run g = gateways.get(gateway).run();
            OptionalLong p99 = addedP99Micros(gateway);
            return g.achievedRps() >= SUSTAINED_FRACTION * rate && p99.isPresent()
                    && p99.getAsLong() < SUSTAINED_ADDED_P99_MICROS;
        }

        private static boolean answered(Run r) {
            return r.errors() < r.requests();
        }
    }

    /** The highest offered rate the gateway sustains; empty when it sustains none of them. */
    public OptionalInt maxSustained(String gateway) {
        return rows.stream().filter(r -> r.gateways().containsKey(gateway) && r.sustained(gateway))
                .mapToInt(RateRow::rate).max();
    }

    /**
     * {@code {"rates":[{"rate":…,"direct":{…},"strata":{…},"portkey":{…}}…],
     * "max_sustained":{"strata":…,"portkey":…}}}; absent values (no answer, no separate process, no
     * sustained rate) are null.
     */
    public ObjectNode toJson(ObjectMapper mapper) {
        ObjectNode out = mapper.createObjectNode();
        var rates = out.putArray("rates");
        for (RateRow row : rows) {
            ObjectNode r = rates.addObject().put("rate", row.rate());
            Run d = row.direct();
            r.putObject("direct").put("p50_us", d.p50Micros()).put("p99_us", d.p99Micros())
                    .put("achieved_rps", round1(d.achievedRps())).put("requests", d.requests())
                    .put("errors", d.errors());
            if (row.harnessCpuMicrosPerRequest().isPresent()) {
                r.with("direct").put("harness_cpu_us_per_request", round1(row.harnessCpuMicrosPerRequest().getAsDouble()));
            }
            for (String name : gateways) {
                GatewayRow g = row.gateways().get(name);
                if (g == null) {
                    continue;
                }
                ObjectNode o = r.putObject(name);
                putOptional(o, "added_p50_us", row.addedP50Micros(name));
                putOptional(o, "added_p99_us", row.addedP99Micros(name));
                o.put("p50_us", g.run().p50Micros()).put("p99_us", g.run().p99Micros())
                        .put("achieved_rps", round1(g.run().achievedRps())).put("requests", g.run().requests())
                        .put("errors", g.run().errors());
                if (g.cpuMicrosPerRequest().isPresent()) {
                    o.put("cpu_us_per_request", round1(g.cpuMicrosPerRequest().getAsDouble()));
                } else {
                    o.putNull("cpu_us_per_request");
                }
                putOptional(o, "rss_bytes", g.rssBytes());
                o.put("sustained", row.sustained(name));
            }
        }
        ObjectNode max = out.putObject("max_sustained");
        for (String name : gateways) {
            OptionalInt m = maxSustained(name);
            if (m.isPresent()) {
                max.put(name, m.getAsInt());
            } else {
                max.putNull(name);
            }
        }
        return out;
    }

    /** The table, one line per rate and gateway, then the ratios issue 9 targets. */
    public void print(PrintStream out) {
        out.printf("%6s %-8s %9s %9s %11s %11s %10s %7s %10s %8s%n", "rate", "gateway", "direct p50", "direct p99",
                "added p50µs", "added p99µs", "achieved", "errors", "CPU µs/req", "RSS MiB");
        for (RateRow row : rows) {
            for (String name : gateways) {
                GatewayRow g = row.gateways().get(name);
                if (g == null) {
                    continue;
                }
                out.printf(Locale.ROOT, "%6d %-8s %9d %9d %11s %11s %10.0f %7d %10s %8s%s%n", row.rate(), name,
                        row.direct().p50Micros(), row.direct().p99Micros(), text(row.addedP50Micros(name)),
                        text(row.addedP99Micros(name)), g.run().achievedRps(), g.run().errors(),
                        g.cpuMicrosPerRequest().isPresent()
                                ? String.format(Locale.ROOT, "%.0f", g.cpuMicrosPerRequest().getAsDouble()) : "-",
                        g.rssBytes().isPresent() ? Long.toString(g.rssBytes().getAsLong() >> 20) : "-",
                        row.sustained(name) ? "" : "  (not sustained)");
            }
        }
        StringBuilder harness = new StringBuilder();
        for (RateRow row : rows) {
            if (row.harnessCpuMicrosPerRequest().isPresent()) {
                harness.append(String.format(Locale.ROOT, " %d req/s: %.0f µs;", row.rate(),
                        row.harnessCpuMicrosPerRequest().getAsDouble()));
            }
        }
        if (!harness.isEmpty()) {
            out.println("harness CPU (load generator + fake upstream) per request sent:" + harness);
        }
        for (String name : gateways) {
            OptionalInt m = maxSustained(name);
            out.printf("max sustained (achieved >= 99 %% of offered, added p99 < 10 ms): %s %s%n", name,
                    m.isPresent() ? m.getAsInt() + " req/s" : "none of the rates");
        }
        if (gateways.contains("strata") && gateways.contains("portkey")) {
            printRatios(out);
        }
        if (gateways.contains("strata") && gateways.contains("relay")) {
            for (RateRow row : rows) {
                aboveFloor(row, RateRow::addedP50Micros).ifPresent(p50 -> out.printf(Locale.ROOT,
                        "strata above the relay floor at %d req/s: p50 %+d µs, p99 %s µs%n", row.rate(), p50,
                        text(aboveFloor(row, RateRow::addedP99Micros))));
            }
        }
    }

    /**
     * Strata's added latency minus the {@link TcpRelay}'s at one rate (the part a gateway process can
     * still cut, since the relay does no work but the hop itself), when both have the percentile.
     */
    static OptionalLong aboveFloor(RateRow row, java.util.function.BiFunction<RateRow, String, OptionalLong> added) {
        OptionalLong strata = added.apply(row, "strata");
        OptionalLong relay = added.apply(row, "relay");
        return strata.isPresent() && relay.isPresent() ? OptionalLong.of(strata.getAsLong() - relay.getAsLong())
                : OptionalLong.empty();
    }

    private void printRatios(PrintStream out) {
        OptionalInt s = maxSustained("strata");
        OptionalInt p = maxSustained("portkey");
        if (s.isPresent() && p.isPresent()) {
            out.printf(Locale.ROOT, "max sustained, strata / portkey: %.1fx (target >= 5x)%n",
                    (double) s.getAsInt() / p.getAsInt());
        } else {
            out.printf("max sustained, strata / portkey: n/a (strata %s, portkey %s)%n",
                    s.isPresent() ? s.getAsInt() : "none", p.isPresent() ? p.getAsInt() : "none");
        }
        rows.stream().filter(r -> r.rate() == 200 && r.gateways().containsKey("strata")
                && r.gateways().containsKey("portkey")).findFirst().ifPresent(r -> {
                    OptionalLong strata = r.addedP50Micros("strata");
                    OptionalLong portkey = r.addedP50Micros("portkey");
                    if (strata.isPresent() && portkey.isPresent() && strata.getAsLong() > 0) {
                        out.printf(Locale.ROOT, "added p50 at 200 req/s, portkey / strata: %.1fx (%d / %d µs, "
                                + "target >= 10x)%n", (double) portkey.getAsLong() / strata.getAsLong(),
                                portkey.getAsLong(), strata.getAsLong());
                    } else {
                        out.printf("added p50 at 200 req/s: strata %s µs, portkey %s µs (no ratio)%n", text(strata),
                                text(portkey));
                    }
                });
    }

    private static void putOptional(ObjectNode o, String key, OptionalLong value) {
        if (value.isPresent()) {
            o.put(key, value.getAsLong());
        } else {
            o.putNull(key);
        }
    }

    private static double round1(double v) {
        return Math.round(v * 10) / 10.0;
    }

    private static String text(OptionalLong v) {
        return v.isPresent() ? Long.toString(v.getAsLong()) : "-";
    }
}
