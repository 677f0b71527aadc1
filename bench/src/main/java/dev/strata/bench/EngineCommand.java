package dev.strata.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.bench.bandwidth.MemoryBandwidth;
import dev.strata.bench.speed.EngineBenchmark;
import dev.strata.bench.speed.Stats;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./strata bench engine}: prefill and decode tokens/s of Strata and llama.cpp, same file, same threads. */
@Command(name = "engine", mixinStandardHelpOptions = true,
        description = "Prefill and decode tokens/s of Strata and, alternating in the same run, llama.cpp (de.kherud:llama).")
final class EngineCommand implements Callable<Integer> {
    @Option(names = {"-m", "--model"}, required = true, description = "GGUF file")
    Path model;

    @Option(names = "--threads", description = "threads for both engines (default: all cores)")
    Integer threads;

    @Option(names = "--prompt-tokens", defaultValue = "128", description = "prompt length (default: ${DEFAULT-VALUE})")
    int promptTokens;

    @Option(names = "--gen-tokens", defaultValue = "64", description = "tokens generated, EOS ignored (default: ${DEFAULT-VALUE})")
    int genTokens;

    @Option(names = "--reps", defaultValue = "5", description = "timed repetitions per engine (default: ${DEFAULT-VALUE})")
    int repetitions;

    @Option(names = "--peer", description = "peer to run alongside: llamacpp or none (default: ${DEFAULT-VALUE})",
            defaultValue = "llamacpp")
    String peer;

    @Option(names = "--bandwidth", description = "also measure memory bandwidth and report decode as % of it")
    boolean bandwidth;

    @Option(names = "--json", description = "print one JSON object")
    boolean json;

    @Override
    public Integer call() throws Exception {
        int t = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        boolean withPeer = switch (peer.toLowerCase(Locale.ROOT)) {
            case "llamacpp", "llama.cpp" -> true;
            case "none" -> false;
            default -> throw new IllegalArgumentException("--peer must be llamacpp or none, got " + peer);
        };
        EngineBenchmark.Result r = EngineBenchmark.run(
                new EngineBenchmark.Config(model, t, promptTokens, genTokens, repetitions, withPeer));
        Double gbps = bandwidth ? MemoryBandwidth.measure(2048L << 20, t, 5).median() : null;
        if (json) {
            System.out.println(new ObjectMapper().writeValueAsString(toJson(r, gbps)));
        } else {
            printText(r, gbps);
        }
        return 0;
    }

    private static ObjectNode toJson(EngineBenchmark.Result r, Double gbps) {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode root = mapper.createObjectNode();
        root.put("model", r.config().model().toString());
        root.put("name", r.modelName());
        root.put("threads", r.config().threads());
        root.put("promptTokens", r.config().promptTokens());
        root.put("genTokens", r.config().genTokens());
        root.put("repetitions", r.config().repetitions());
        root.put("peerName", r.peerName());
        root.put("weightBytesPerToken", r.weightBytesPerToken());
        for (String phase : new String[] {"prefill", "decode"}) {
            ObjectNode node = root.putObject(phase);
            boolean prefill = phase.equals("prefill");
            node.set("strata", stats(mapper, prefill ? r.strata().prefillTokensPerSecond() : r.strata().decodeTokensPerSecond()));
            r.peer().ifPresent(p -> node.set("peer", stats(mapper, prefill ? p.prefillTokensPerSecond() : p.decodeTokensPerSecond())));
            (prefill ? r.prefillRatio() : r.decodeRatio()).ifPresent(x -> node.put("ratio", x));
        }
        root.put("fileBytes", r.fileBytes());
        ObjectNode rss = root.putObject("rssBytes");
        rss.set("strata", memory(mapper, r.strataMemory()));
        r.peerMemory().ifPresent(m -> rss.set("peer", memory(mapper, m)));
        if (gbps != null) {
            root.put("bandwidthGBps", gbps);
            ObjectNode pct = root.putObject("decodeBandwidthPercent");
            pct.put("strata", percent(r, r.strata().decodeTokensPerSecond().median(), gbps));
            r.peer().ifPresent(p -> pct.put("peer", percent(r, p.decodeTokensPerSecond().median(), gbps)));
        }
        return root;
    }

    private static ObjectNode memory(ObjectMapper mapper, EngineBenchmark.MemoryUse m) {
        ObjectNode node = mapper.createObjectNode();
        node.put("afterLoad", m.afterLoadBytes());
        node.put("afterRun", m.afterRunBytes());
        return node;
    }

    private static ObjectNode stats(ObjectMapper mapper, Stats s) {
        ObjectNode node = mapper.createObjectNode();
        node.put("tokensPerSecond", s.median());
        node.put("min", s.min());
        node.put("max", s.max());
        node.put("spreadPercent", s.spreadPercent());
        return node;
    }

    private static double percent(EngineBenchmark.Result r, double tokensPerSecond, double gbps) {
        return r.weightBytesPerToken() * tokensPerSecond / (gbps * 1e9) * 100;
    }

    private static void printText(EngineBenchmark.Result r, Double gbps) {
        System.out.printf(Locale.ROOT, "%s (%s), %d threads, prompt %d, generate %d, %d reps (median, ±half range)%n",
                r.config().model(), r.modelName(), r.config().threads(), r.config().promptTokens(),
                r.config().genTokens(), r.config().repetitions());
        line("prefill tok/s", r.strata().prefillTokensPerSecond(),
                r.peer().map(EngineBenchmark.EngineStats::prefillTokensPerSecond).orElse(null), r.prefillRatio().orElse(null));
        line("decode  tok/s", r.strata().decodeTokensPerSecond(),
                r.peer().map(EngineBenchmark.EngineStats::decodeTokensPerSecond).orElse(null), r.decodeRatio().orElse(null));
        if (gbps != null) {
            System.out.printf(Locale.ROOT, "bandwidth %.2f GB/s; weights %.1f MiB/token; decode at %.0f%% (Strata)%s of it%n",
                    gbps, r.weightBytesPerToken() / 1048576.0, percent(r, r.strata().decodeTokensPerSecond().median(), gbps),
                    r.peer().map(p -> String.format(Locale.ROOT, ", %.0f%% (llama.cpp)",
                            percent(r, p.decodeTokensPerSecond().median(), gbps))).orElse(""));
        }
        System.out.printf(Locale.ROOT, "RSS MiB after load / after run: Strata %s%s (file %.0f MiB)%n",
                mib(r.strataMemory()), r.peerMemory().map(m -> ", llama.cpp " + mib(m)).orElse(""),
                r.fileBytes() / 1048576.0);
        System.out.println("peer: " + r.peerName());
    }

    private static String mib(EngineBenchmark.MemoryUse m) {
        return String.format(Locale.ROOT, "%.0f / %.0f", m.afterLoadBytes() / 1048576.0, m.afterRunBytes() / 1048576.0);
    }

    private static void line(String what, Stats strata, Stats peer, Double ratio) {
        System.out.printf(Locale.ROOT, "%s  Strata %8.1f ±%4.1f%%", what, strata.median(), strata.spreadPercent());
        if (peer != null) {
            System.out.printf(Locale.ROOT, "   llama.cpp %8.1f ±%4.1f%%   ratio %.2f", peer.median(), peer.spreadPercent(), ratio);
        }
        System.out.println();
    }
}
