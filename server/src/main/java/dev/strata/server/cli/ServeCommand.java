package dev.strata.server.cli;

import dev.strata.engine.generate.ModelInfo;
import dev.strata.server.config.ConfigLoader;
import dev.strata.server.config.ConfigOverrides;
import dev.strata.server.config.StrataConfig;
import dev.strata.server.config.TenancyConfig;
import dev.strata.server.gateway.Gateway;
import dev.strata.server.registry.GgufModelLoader;
import dev.strata.server.registry.ModelLoader;
import dev.strata.server.registry.ServedModel;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code strata serve}: the OpenAI-compatible server. With no arguments it serves the demo model on
 * http://127.0.0.1:8080. SIGTERM or SIGINT shuts down gracefully (stop accepting, drain in-flight
 * requests within {@code server.drain_timeout_seconds}) and exits 0.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Serve models over an OpenAI-compatible HTTP API.")
final class ServeCommand implements Callable<Integer> {

    @Option(names = "--config", paramLabel = "FILE", description = "YAML configuration (see strata.example.yaml).")
    Path config;

    @Option(names = {"-m", "--model"}, paramLabel = "FILE", description = "A GGUF model to serve (repeatable); "
            + "replaces the config's models.")
    List<Path> models = new ArrayList<>();

    @Option(names = "--host", description = "Address to listen on (default 127.0.0.1).")
    String host;

    @Option(names = "--port", description = "HTTP port (default 8080; 0 picks a free one).")
    Integer port;

    @Option(names = "--grpc-port", description = "gRPC port (default 9090; -1 disables).")
    Integer grpcPort;

    @Option(names = "--threads", description = "Compute threads per model (default: all cores).")
    Integer threads;

    @Option(names = "--kv-memory", paramLabel = "SIZE", description = "KV cache budget per model, bytes or a size "
            + "like 512MiB or 2GB (default: automatic); overrides each model's kv_memory.")
    String kvMemory;

    @Option(names = "--kv-cache-type", paramLabel = "TYPE", description = "How K/V rows are stored: f32 (default), "
            + "f16 or q8_0 (less memory per token, slightly different output); overrides each model's kv_cache_type.")
    String kvCacheType;

    @Option(names = "--kv-cache-dir", paramLabel = "DIR", description = "Persist the prefix cache here so a restart "
            + "keeps warm prompts (each model in DIR/<model id>); overrides each model's kv_cache_dir.")
    Path kvCacheDir;

    @Option(names = "--kv-cache-disk-max", paramLabel = "SIZE", description = "Bound on each model's persisted "
            + "prefix cache, bytes or a size like 1GiB (default 1GiB); least recently used blocks are deleted.")
    String kvCacheDiskMax;

    @Option(names = "--require-auth", description = "Require an API key (see `strata keys create`) on /v1.")
    boolean requireAuth;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Where keys, tenants and the audit log live (default: $STRATA_DATA_DIR or ~/.strata).")
    Path dataDir;

    @Spec
    CommandSpec spec;

    /** Sequences each engine steps together, and tokens per forward pass. */
    private static final int MAX_SEQUENCES = 32;
    private static final int MAX_BATCH_TOKENS = 512;

    private final ModelLoader loader;

    ServeCommand() {
        this(new GgufModelLoader(MAX_SEQUENCES, MAX_BATCH_TOKENS));
    }

    ServeCommand(ModelLoader loader) {
        this.loader = loader;
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        StrataConfig loaded = new ConfigLoader(System.getenv(), DemoModel.locate())
                .load(Optional.ofNullable(config), new ConfigOverrides(host, port, grpcPort, models, threads, kvMemory, kvCacheType,
                        kvCacheDir, kvCacheDiskMax));
        StrataConfig cfg = loaded.withTenancy(tenancy(loaded.tenancy()));
        long start = System.nanoTime();
        Gateway gateway = new Gateway(cfg, loader, Clock.systemUTC(), StrataCommand.version(),
                dev.strata.server.observe.Observability.fromEnvironment(cfg, System.getenv(), Clock.systemUTC()),
                config == null ? () -> null : new dev.strata.server.route.RoutesSource(config));
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = Thread.ofPlatform().name("strata-shutdown").unstarted(() -> {
            out.printf("strata: shutting down; draining in-flight requests (up to %d s)%n",
                    cfg.server().drainTimeout().toSeconds());
            out.flush();
            gateway.stop();
            out.println("strata: stopped");
            out.flush();
            stopped.countDown();
            Runtime.getRuntime().halt(ExitCodes.OK);
        });
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            gateway.start();
        } catch (RuntimeException e) {
            Runtime.getRuntime().removeShutdownHook(hook);
            gateway.stop();
            throw e;
        }
        printStartup(out, gateway, (System.nanoTime() - start) / 1e9);
        stopped.await();
        return ExitCodes.OK;
    }

    /** Flags win over file and environment; the data directory defaults like {@code strata keys}'s. */
    private TenancyConfig tenancy(TenancyConfig t) {
        if (requireAuth) {
            t = t.withRequireAuth(true);
        }
        if (dataDir != null || (t.dataDir().isEmpty() && t.databaseUrl() == null)) {
            t = t.withDataDir(DataDir.resolve(dataDir, System.getenv()));
        }
        return t;
    }

    private static void printAuth(PrintWriter out, Gateway gateway) {
        TenancyConfig t = gateway.config().tenancy();
        String store = t.databaseUrl() != null ? "PostgreSQL" : t.dataDir().map(d -> d.resolve("strata.db").toString())
                .orElse("memory");
        if (t.requireAuth()) {
            out.printf("  auth: API keys required on /v1 (keys, tenants, audit in %s)%n", store);
        } else {
            out.printf("  auth: OFF - any client that can reach %s may call it (use --require-auth; audit in %s)%n",
                    gateway.httpUri(), store);
        }
        out.printf("  admin API: %s; limits: %s%n", t.adminKey() == null ? "off (set STRATA_ADMIN_KEY)" : "/admin/*",
                t.redisUrl() == null ? "local" : "Redis (" + t.onRedisFailure().name().toLowerCase(java.util.Locale.ROOT)
                        + " when unreachable)");
    }

    private static void printStartup(PrintWriter out, Gateway gateway, double seconds) {
        out.printf("strata %s serving on %s (OpenAI API: %s/v1)%n", StrataCommand.version(), gateway.httpUri(),
                gateway.httpUri());
        for (ServedModel m : gateway.registry().all()) {
            ModelInfo info = m.loaded().orElseThrow().engine().modelInfo();
            out.printf("  model %-24s %s %s, context %d, loaded in %.2f s (%s)%n", m.id(), info.architecture(),
                    info.quantization(), info.contextLength(), m.loadNanos() / 1e9, m.config().path());
        }
        if (gateway.grpcPort() >= 0) {
            out.printf("  gRPC (strata.v1.Strata) on %s:%d%n", gateway.config().server().host(), gateway.grpcPort());
        }
        printAuth(out, gateway);
        out.printf("ready in %.2f s; Ctrl-C or SIGTERM stops gracefully%n", seconds);
        out.flush();
    }
}
