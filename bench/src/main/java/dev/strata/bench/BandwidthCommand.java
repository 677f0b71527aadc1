package dev.strata.bench;

import dev.strata.bench.bandwidth.MemoryBandwidth;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./strata bench bandwidth}: memory read bandwidth, the limit of decode speed. */
@Command(name = "bandwidth", mixinStandardHelpOptions = true,
        description = "Measures memory read bandwidth (STREAM-like vector sum over a buffer much larger than cache).")
final class BandwidthCommand implements Callable<Integer> {
    @Option(names = "--threads", description = "reader threads (default: all cores)")
    Integer threads;

    @Option(names = "--size-mib", defaultValue = "2048", description = "buffer size in MiB, well above the last-level cache (default: ${DEFAULT-VALUE})")
    int sizeMib;

    @Option(names = "--reps", defaultValue = "10", description = "repetitions (default: ${DEFAULT-VALUE})")
    int repetitions;

    @Option(names = "--json", description = "print one JSON object")
    boolean json;

    @Override
    public Integer call() {
        int t = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        MemoryBandwidth.Result r = MemoryBandwidth.measure(sizeMib * 1048576L, t, repetitions);
        if (json) {
            System.out.printf(Locale.ROOT, "{\"threads\":%d,\"bufferBytes\":%d,\"bestGBps\":%.2f,\"medianGBps\":%.2f}%n",
                    r.threads(), r.bufferBytes(), r.best(), r.median());
        } else {
            System.out.printf(Locale.ROOT, "memory read bandwidth: %d threads, %d MiB buffer: best %.2f GB/s, median %.2f GB/s (%d reps)%n",
                    r.threads(), r.bufferBytes() >> 20, r.best(), r.median(), repetitions);
        }
        return 0;
    }
}
