package dev.strata.bench;

import dev.strata.bench.prefix.PrefixPersistBenchmark;
import dev.strata.engine.kv.KvCacheType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./strata bench prefix-persist}: does persisting the prefix cache to disk pay after a restart? */
@Command(name = "prefix-persist", mixinStandardHelpOptions = true,
        description = "TTFT of a prompt with a shared system prompt: cold, after a restart with --kv-cache-dir "
                + "(prefix read back from disk), and warm in memory; prints the cold/restart ratio.")
final class PrefixPersistCommand implements Callable<Integer> {
    @Option(names = {"-m", "--model"}, required = true, description = "GGUF file")
    Path model;

    @Option(names = "--threads", description = "compute threads (default: all cores)")
    Integer threads;

    @Option(names = "--system-prompt-tokens", defaultValue = "1000",
            description = "shared prefix length (default: ${DEFAULT-VALUE})")
    int systemPromptTokens;

    @Option(names = "--rounds", defaultValue = "3", description = "cold/restart pairs; medians reported (default: ${DEFAULT-VALUE})")
    int rounds;

    @Option(names = "--kv-cache-type", defaultValue = "f32", description = "f32, f16 or q8_0 (default: ${DEFAULT-VALUE})")
    String kvCacheType;

    @Option(names = "--max-batch-tokens", defaultValue = "256", description = "tokens per forward pass (default: ${DEFAULT-VALUE})")
    int maxBatchTokens;

    @Option(names = "--dir", description = "scratch directory for the KV files (default: a new temporary one)")
    Path dir;

    @Override
    public Integer call() throws Exception {
        if (rounds < 1 || systemPromptTokens < 16) {
            throw new IllegalArgumentException("--rounds must be >= 1 and --system-prompt-tokens >= 16");
        }
        int t = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        Path work = dir != null ? Files.createDirectories(dir) : Files.createTempDirectory("strata-prefix-persist");
        PrefixPersistBenchmark.Result r;
        try {
            r = PrefixPersistBenchmark.run(new PrefixPersistBenchmark.Config(model, t, systemPromptTokens, rounds,
                    KvCacheType.parse(kvCacheType), maxBatchTokens), work);
        } finally {
            if (dir == null) {
                try (Stream<Path> all = Files.walk(work)) {
                    for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                        Files.deleteIfExists(p);
                    }
                }
            }
        }
        System.out.printf(Locale.ROOT, "%s  threads %d  KV %s  system prompt %d tokens  rounds %d (medians)%n",
                r.modelName(), t, kvCacheType, systemPromptTokens, rounds);
        System.out.printf(Locale.ROOT, "TTFT cold                  %9.1f ms%n", r.coldTtftMillis());
        System.out.printf(Locale.ROOT, "TTFT after restart (disk)  %9.1f ms   %d prompt tokens cached, %d blocks read, "
                + "%.1f MiB on disk%n", r.restartTtftMillis(), r.cachedPromptTokens(), r.blocksLoaded(),
                r.diskBytes() / 1048576.0);
        System.out.printf(Locale.ROOT, "TTFT warm (in memory)      %9.1f ms%n", r.inMemoryTtftMillis());
        System.out.printf(Locale.ROOT, "engine close (writes)      %9.1f ms; restart open %.1f ms%n",
                r.closeMillis(), r.openMillis());
        System.out.printf(Locale.ROOT, "cold / restart TTFT ratio  %9.2fx%n", r.speedup());
        return 0;
    }
}
