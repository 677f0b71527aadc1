package dev.strata.bench.admission;

import dev.strata.server.admit.AdmissionRequest;
import dev.strata.server.admit.Decision;
import dev.strata.server.admit.FairQueue;
import dev.strata.server.admit.TenantAdmission;
import dev.strata.server.auth.Caller;
import dev.strata.server.config.ModelPrice;
import dev.strata.server.cost.PriceTable;
import dev.strata.server.quota.LocalQuotaBackend;
import dev.strata.server.quota.QuotaBackend;
import dev.strata.server.quota.RedisQuotaBackend;
import dev.strata.server.tenant.ApiKey;
import dev.strata.server.tenant.Quota;
import dev.strata.server.tenant.Tenant;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Open-loop load on the admission stage alone: requests arrive at a fixed rate (default 2,000/s),
 * each from one of several tenants whose tenant and key quotas set every limit (RPM, TPM,
 * concurrency, daily and monthly budgets; high enough that all are admitted, so the full path is
 * measured). Reports the latency of {@code admit} and of settle+close, p50/p90/p99/max, first with
 * counters in memory, then in Redis (a redis-server this command starts on a free loopback port, or
 * {@code --redis-url}).
 */
@Command(name = "admission", mixinStandardHelpOptions = true,
        description = "Cost of admission per request, local counters vs Redis, at a fixed arrival rate.")
public final class AdmissionBenchmark implements Runnable {
    @Option(names = "--rate", description = "Requests per second (default 2000).")
    int rate = 2000;

    @Option(names = "--seconds", description = "Measured seconds per backend (default 10).")
    int seconds = 10;

    @Option(names = "--warmup-seconds", description = "Unmeasured seconds first (default 3).")
    int warmupSeconds = 3;

    @Option(names = "--tenants", description = "Tenants sending (default 8).")
    int tenants = 8;

    @Option(names = "--redis-url", description = "Use this Redis instead of starting redis-server.")
    String redisUrl;

    @Option(names = "--skip-redis", description = "Local counters only.")
    boolean skipRedis;

    @Override
    public void run() {
        System.out.printf(Locale.ROOT, "admission benchmark: %d req/s, %d s measured (+%d s warm-up), %d tenants%n",
                rate, seconds, warmupSeconds, tenants);
        report("local", new LocalQuotaBackend(System::nanoTime));
        if (skipRedis) {
            return;
        }
        Process started = null;
        try {
            String url = redisUrl;
            if (url == null) {
                Path redis = List.of(Path.of("/usr/bin/redis-server"), Path.of("/usr/local/bin/redis-server")).stream()
                        .filter(Files::isExecutable).findFirst().orElse(null);
                if (redis == null) {
                    System.out.println("redis: skipped (no redis-server installed; pass --redis-url)");
                    return;
                }
                int port = freePort();
                started = new ProcessBuilder(redis.toString(), "--port", Integer.toString(port), "--bind", "127.0.0.1",
                        "--save", "", "--appendonly", "no").redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .redirectErrorStream(true).start();
                url = "redis://127.0.0.1:" + port;
                waitForPort(port);
            }
            report("redis", new RedisQuotaBackend(url, "bench-" + UUID.randomUUID() + ":", Duration.ofSeconds(1)));
        } catch (IOException e) {
            throw new IllegalStateException("cannot start redis-server: " + e.getMessage(), e);
        } finally {
            if (started != null) {
                started.destroyForcibly();
            }
        }
    }

    private void report(String name, QuotaBackend counters) {
        try (counters) {
            PriceTable prices = new PriceTable(Map.of("m", new ModelPrice(0.5, 1.5)));
            TenantAdmission admission = new TenantAdmission(counters, new FairQueue(4096, 64, 1_000_000_000L,
                    System::nanoTime), prices, Clock.systemUTC(), 1_000_000_000L, 1);
            Caller[] callers = new Caller[tenants];
            Quota big = new Quota(1_000_000_000, 1_000_000_000, 100_000, 4096, Set.of(), 1e9, 1e9, null, 1, null);
            for (int i = 0; i < tenants; i++) {
                Tenant t = new Tenant("tenant" + i, big, false);
                callers[i] = new Caller(t, new ApiKey(String.format(Locale.ROOT, "%012x", i), t.name(), "00", "00", big,
                        Instant.EPOCH, null));
            }
            run(admission, callers, warmupSeconds, null, null);
            long[] admit = new long[rate * seconds];
            long[] settle = new long[rate * seconds];
            int n = run(admission, callers, seconds, admit, settle);
            Arrays.sort(admit, 0, n);
            Arrays.sort(settle, 0, n);
            System.out.printf(Locale.ROOT, "%-6s admit:  p50 %7.1f us  p90 %7.1f us  p99 %7.1f us  max %8.1f us  (%d requests)%n",
                    name, pct(admit, n, 50), pct(admit, n, 90), pct(admit, n, 99), admit[n - 1] / 1e3, n);
            System.out.printf(Locale.ROOT, "%-6s settle: p50 %7.1f us  p90 %7.1f us  p99 %7.1f us  max %8.1f us%n",
                    name, pct(settle, n, 50), pct(settle, n, 90), pct(settle, n, 99), settle[n - 1] / 1e3);
        }
    }

    /** Issues requests at {@code rate} for {@code secs}; returns how many were recorded. */
    private int run(TenantAdmission admission, Caller[] callers, int secs, long[] admitNanos, long[] settleNanos) {
        int total = rate * secs;
        long interval = 1_000_000_000L / rate;
        AtomicInteger recorded = new AtomicInteger();
        AtomicInteger failures = new AtomicInteger();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            long start = System.nanoTime();
            for (int i = 0; i < total; i++) {
                long due = start + i * interval;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
                Caller caller = callers[i % callers.length];
                pool.execute(() -> {
                    try {
                        measure(admission, caller, recorded, admitNanos, settleNanos);
                    } catch (RuntimeException e) {
                        failures.incrementAndGet(); // e.g. a Redis timeout under overload: counted, not measured
                    }
                });
            }
            pool.shutdown();
            if (!pool.awaitTermination(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("requests did not finish");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (failures.get() > 0) {
            System.out.printf(Locale.ROOT, "       %d requests failed (timeouts) and are not in the figures%n",
                    failures.get());
        }
        return recorded.get();
    }

    private static void measure(TenantAdmission admission, Caller caller, AtomicInteger recorded, long[] admitNanos,
            long[] settleNanos) {
                    long t0 = System.nanoTime();
                    Decision d = admission.admit(new AdmissionRequest(caller, "m", 50, 100, 0));
                    long t1 = System.nanoTime();
                    if (!(d instanceof Decision.Admitted a)) {
                        throw new IllegalStateException("not admitted: " + d);
                    }
                    a.permit().settle(50, 100);
                    a.permit().close();
                    long t2 = System.nanoTime();
                    if (admitNanos != null) {
                        int k = recorded.getAndIncrement();
                        admitNanos[k] = t1 - t0;
                        settleNanos[k] = t2 - t1;
                    }
    }

    private static double pct(long[] sorted, int n, int p) {
        return sorted[Math.min(n - 1, (int) Math.ceil(p / 100.0 * n) - 1)] / 1e3;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static void waitForPort(int port) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
                return;
            } catch (IOException e) {
                Thread.onSpinWait();
            }
        }
        throw new IllegalStateException("redis-server did not open port " + port);
    }
}
