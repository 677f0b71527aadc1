package dev.strata.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.engine.kv.KvCacheType;
import dev.strata.server.GatewayException.InvalidConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConfigLoaderTest {
    @TempDir
    Path dir;

    private Path file(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    private Path model() throws IOException {
        return file("tiny.gguf", "not really a model; the loader is not called here");
    }

    @Test
    void noFileServesTheDefaultModelOnDefaults() throws IOException {
        Path demo = model();
        StrataConfig c = new ConfigLoader(Map.of(), demo).load(Optional.empty(), ConfigOverrides.NONE);
        assertThat(c.server().host()).isEqualTo("127.0.0.1");
        assertThat(c.server().port()).isEqualTo(8080);
        assertThat(c.server().grpcPort()).isEqualTo(9090);
        assertThat(c.server().limits()).isEqualTo(Limits.DEFAULTS);
        assertThat(c.server().tls()).isEmpty();
        assertThat(c.models()).singleElement().satisfies(m -> {
            assertThat(m.id()).isEqualTo("tiny");
            assertThat(m.path()).isEqualTo(demo);
        });
    }

    @Test
    void readsEveryKeyWithPathsRelativeToTheFile() throws IOException {
        model();
        Path cfg = file("strata.yaml", """
                server:
                  host: 0.0.0.0
                  port: 9000
                  grpc_port: -1
                  drain_timeout_seconds: 5
                  limits: {max_body_bytes: 1000, max_concurrent_requests: 3, max_n: 2, retry_after_seconds: 4}
                models:
                  - path: tiny.gguf
                    id: small
                    threads: 2
                    context: 128
                    sampling: {temperature: 0.7, top_p: 0.9, top_k: 40, min_p: 0.05, repetition_penalty: 1.1, max_tokens: 64}
                """);
        StrataConfig c = new ConfigLoader(Map.of(), null).load(Optional.of(cfg), ConfigOverrides.NONE);
        assertThat(c.server().host()).isEqualTo("0.0.0.0");
        assertThat(c.server().port()).isEqualTo(9000);
        assertThat(c.server().grpcPort()).isEqualTo(-1);
        assertThat(c.server().drainTimeout().toSeconds()).isEqualTo(5);
        assertThat(c.server().limits()).isEqualTo(new Limits(1000, 3, 2, 4));
        ModelConfig m = c.models().getFirst();
        assertThat(m.id()).isEqualTo("small");
        assertThat(m.path()).isEqualTo(dir.resolve("tiny.gguf"));
        assertThat(m.threads()).isEqualTo(2);
        assertThat(m.contextLength()).isEqualTo(128);
        assertThat(m.sampling()).isEqualTo(new SamplingDefaults(0.7f, 0.9f, 40, 0.05f, 1.1f, 64));
    }

    @Test
    void environmentOverridesTheFileAndFlagsOverrideBoth() throws IOException {
        Path demo = model();
        Path cfg = file("strata.yaml", "server:\n  port: 9000\n  host: 10.0.0.1\n");
        Map<String, String> env = Map.of("STRATA_PORT", "9100", "STRATA_HOST", "0.0.0.0", "STRATA_MAX_N", "3");
        StrataConfig c = new ConfigLoader(env, demo).load(Optional.of(cfg),
                new ConfigOverrides(null, 9200, null, List.of(), 1));
        assertThat(c.server().port()).isEqualTo(9200);
        assertThat(c.server().host()).isEqualTo("0.0.0.0");
        assertThat(c.server().limits().maxN()).isEqualTo(3);
        assertThat(c.models().getFirst().threads()).isEqualTo(1);
    }

    @Test
    void modelFlagsReplaceTheFilesModels() throws IOException {
        Path a = file("a.gguf", "x");
        Path b = file("b.gguf", "x");
        Path cfg = file("strata.yaml", "models:\n  - path: a.gguf\n");
        StrataConfig c = new ConfigLoader(Map.of(), null).load(Optional.of(cfg),
                new ConfigOverrides(null, null, null, List.of(a, b), null));
        assertThat(c.models()).extracting(ModelConfig::id).containsExactly("a", "b");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "server: {port: http}                              | server.port",
        "server: {port: 70000}                             | server.port",
        "server: {prot: 1}                                 | server.prot",
        "server: {limits: {max_n: 0}}                      | server.limits.max_n",
        "server: {tls: {cert: missing.pem, key: k.pem}}    | server.tls.cert",
        "server: 5                                         | server",
        "models: []                                        | models",
        "models: [{path: missing.gguf}]                    | models[0].path",
        "models: [{path: tiny.gguf, threads: -1}]          | models[0].threads",
        "models: [{path: tiny.gguf, sampling: {top_p: 0}}] | models[0].sampling.top_p",
        "models: [{path: tiny.gguf}, {path: tiny.gguf}]    | models[1].id",
        "models: [{path: tiny.gguf, kv_memory: lots}]      | models[0].kv_memory",
        "models: [{path: tiny.gguf, kv_memory: 2XB}]       | models[0].kv_memory",
        "models: [{path: tiny.gguf, kv_memory: -1}]        | models[0].kv_memory",
        "models: [{path: tiny.gguf, kv_memory: -1MiB}]     | models[0].kv_memory",
        "models: [{path: tiny.gguf, kv_memory: 1.5}]       | models[0].kv_memory",
        "models: [{path: tiny.gguf, block_size: 0}]        | models[0].block_size",
        "models: [{path: tiny.gguf, block_size: 2048}]     | models[0].block_size",
        "models: [{path: tiny.gguf, max_num_seqs: 0}]      | models[0].max_num_seqs",
        "models: [{path: tiny.gguf, max_num_seqs: two}]    | models[0].max_num_seqs",
        "models: [{path: tiny.gguf, max_batched_tokens: 0}] | models[0].max_batched_tokens",
        "models: [{path: tiny.gguf, max_num_seqs: 8, max_batched_tokens: 4}] | models[0].max_batched_tokens",
        "models: [{path: tiny.gguf, max_waiting: 0}]       | models[0].max_waiting",
        "models: [{path: tiny.gguf, max_seqs: 4}]          | models[0].max_seqs",
        "'server: {request_threads: green}'                | server.request_threads",
        "[1, 2]                                            | config",
        "'server: {'                                       | config",
    })
    void invalidConfigNamesTheKey(String yaml, String key) throws IOException {
        model();
        Path cfg = file("bad.yaml", yaml);
        assertThatThrownBy(() -> new ConfigLoader(Map.of(), null).load(Optional.of(cfg), ConfigOverrides.NONE))
                .isInstanceOfSatisfying(InvalidConfig.class, e -> {
                    assertThat(e.key()).isEqualTo(key);
                    assertThat(e.getMessage()).startsWith(key + ": ").doesNotContain("\n");
                });
    }

    /** Requests run on virtual threads unless the file or STRATA_REQUEST_THREADS says platform. */
    @Test
    void requestThreadsAreVirtualUnlessSetToPlatform() throws IOException {
        model();
        Path plain = file("plain.yaml", "models: [{path: tiny.gguf}]");
        assertThat(new ConfigLoader(Map.of(), null).load(Optional.of(plain), ConfigOverrides.NONE).server()
                .requestThreads()).isEqualTo(ServerConfig.RequestThreads.VIRTUAL);
        Path platform = file("platform.yaml", "server: {request_threads: platform}\nmodels: [{path: tiny.gguf}]");
        assertThat(new ConfigLoader(Map.of(), null).load(Optional.of(platform), ConfigOverrides.NONE).server()
                .requestThreads()).isEqualTo(ServerConfig.RequestThreads.PLATFORM);
        assertThat(new ConfigLoader(Map.of("STRATA_REQUEST_THREADS", "platform"), null)
                .load(Optional.of(plain), ConfigOverrides.NONE).server().requestThreads())
                .isEqualTo(ServerConfig.RequestThreads.PLATFORM);
    }

    @Test
    void readsServingKeysWithSizesInBytesOrUnits() throws IOException {
        model();
        Path cfg = file("strata.yaml", """
                models:
                  - path: tiny.gguf
                    id: a
                    kv_memory: 512MiB
                    block_size: 32
                    max_num_seqs: 4
                    max_batched_tokens: 128
                    max_waiting: 1
                  - path: tiny.gguf
                    id: b
                    kv_memory: 2GB
                  - path: tiny.gguf
                    id: c
                    kv_memory: 1048576
                  - path: tiny.gguf
                    id: d
                """);
        List<ModelConfig> models = new ConfigLoader(Map.of(), null).load(Optional.of(cfg), ConfigOverrides.NONE)
                .models();
        assertThat(models.get(0).serving()).isEqualTo(new ServingOptions(512L << 20, 32, 4, 128, 1));
        assertThat(models.get(1).serving().kvMemoryBytes()).isEqualTo(2_000_000_000L);
        assertThat(models.get(2).serving().kvMemoryBytes()).isEqualTo(1L << 20);
        assertThat(models.get(3).serving()).isEqualTo(ServingOptions.DEFAULTS);
    }

    @ParameterizedTest
    @CsvSource({"0, 0", "4096, 4096", "1KB, 1000", "1kib, 1024", "1.5GiB, 1610612736", "'3 TB', 3000000000000",
        "7B, 7"})
    void parsesByteSizes(String text, long bytes) {
        assertThat(ByteSize.parse(text)).isEqualTo(bytes);
    }

    @Test
    void kvMemoryFlagAppliesToEveryModelAndToTheDemoModel() throws IOException {
        Path demo = model();
        Path cfg = file("strata.yaml", "models:\n  - {path: tiny.gguf, id: a, kv_memory: 1GiB}\n"
                + "  - {path: tiny.gguf, id: b}\n");
        ConfigOverrides flags = new ConfigOverrides(null, null, null, List.of(), null, "64MiB");
        assertThat(new ConfigLoader(Map.of(), null).load(Optional.of(cfg), flags).models())
                .extracting(m -> m.serving().kvMemoryBytes()).containsExactly(64L << 20, 64L << 20);
        assertThat(new ConfigLoader(Map.of(), demo).load(Optional.empty(), flags).models())
                .extracting(m -> m.serving().kvMemoryBytes()).containsExactly(64L << 20);
        assertThatThrownBy(() -> new ConfigLoader(Map.of(), demo).load(Optional.empty(),
                new ConfigOverrides(null, null, null, List.of(demo), null, "much")))
                .isInstanceOfSatisfying(InvalidConfig.class, e -> assertThat(e.key()).isEqualTo("models[0].kv_memory"));
    }

    @Test
    void kvCacheTypeComesFromTheFileOrTheFlagAndBadNamesAreRefused() throws IOException {
        Path demo = model();
        Path cfg = file("strata.yaml", "models:\n  - {path: tiny.gguf, id: a, kv_cache_type: q8_0}\n"
                + "  - {path: tiny.gguf, id: b}\n");
        assertThat(new ConfigLoader(Map.of(), null).load(Optional.of(cfg), ConfigOverrides.NONE).models())
                .extracting(m -> m.serving().kvCacheType()).containsExactly(KvCacheType.Q8_0, null);
        ConfigOverrides flags = new ConfigOverrides(null, null, null, List.of(), null, null, "F16");
        assertThat(new ConfigLoader(Map.of(), null).load(Optional.of(cfg), flags).models())
                .extracting(m -> m.serving().kvCacheType()).containsExactly(KvCacheType.F16, KvCacheType.F16);
        assertThat(new ConfigLoader(Map.of(), demo).load(Optional.empty(), flags).models())
                .extracting(m -> m.serving().kvCacheType()).containsExactly(KvCacheType.F16);
        assertThatThrownBy(() -> new ConfigLoader(Map.of(), demo).load(Optional.empty(),
                new ConfigOverrides(null, null, null, List.of(demo), null, null, "q4")))
                .isInstanceOfSatisfying(InvalidConfig.class, e -> {
                    assertThat(e.key()).isEqualTo("models[0].kv_cache_type");
                    assertThat(e.getMessage()).contains("f32, f16, q8_0");
                });
    }

    @Test
    void kvCacheDirAndItsBoundComeFromTheFileOrTheFlags() throws IOException {
        Path demo = model();
        Path cfg = file("strata.yaml", "models:\n  - {path: tiny.gguf, id: a, kv_cache_dir: cache, "
                + "kv_cache_disk_max: 2MiB}\n  - {path: tiny.gguf, id: b}\n");
        List<ModelConfig> models = new ConfigLoader(Map.of(), null).load(Optional.of(cfg), ConfigOverrides.NONE)
                .models();
        assertThat(models.get(0).serving().kvCacheDir()).isEqualTo(cfg.resolveSibling("cache").normalize());
        assertThat(models.get(0).serving().kvCacheDiskMaxBytes()).isEqualTo(2L << 20);
        assertThat(models.get(1).serving().kvCacheDir()).isNull();
        ConfigOverrides flags = new ConfigOverrides(null, null, null, List.of(demo), null, null, null,
                Path.of("/tmp/kv"), "1GB");
        assertThat(new ConfigLoader(Map.of(), demo).load(Optional.empty(), flags).models().getFirst().serving())
                .satisfies(s -> {
                    assertThat(s.kvCacheDir()).isEqualTo(Path.of("/tmp/kv"));
                    assertThat(s.kvCacheDiskMaxBytes()).isEqualTo(1_000_000_000L);
                });
        Path notADir = file("plain.txt", "x");
        Path bad = file("bad.yaml", "models:\n  - {path: tiny.gguf, kv_cache_dir: plain.txt}\n");
        assertThat(notADir).exists();
        assertThatThrownBy(() -> new ConfigLoader(Map.of(), null).load(Optional.of(bad), ConfigOverrides.NONE))
                .isInstanceOfSatisfying(InvalidConfig.class,
                        e -> assertThat(e.key()).isEqualTo("models[0].kv_cache_dir"));
    }

    @Test
    void theAnnotatedExampleConfigLoads() {
        StrataConfig c = new ConfigLoader(Map.of(), null).load(Optional.of(Path.of("../strata.example.yaml")),
                ConfigOverrides.NONE);
        ServingOptions s = c.models().getFirst().serving();
        assertThat(s.kvCacheType()).isEqualTo(KvCacheType.F32);
        assertThat(s.kvCacheDiskMaxBytes()).isEqualTo(1L << 30);
    }

    @Test
    void badEnvironmentValueNamesTheKey() throws IOException {
        Path demo = model();
        assertThatThrownBy(() -> new ConfigLoader(Map.of("STRATA_PORT", "eighty"), demo)
                .load(Optional.empty(), ConfigOverrides.NONE))
                .isInstanceOfSatisfying(InvalidConfig.class, e -> assertThat(e.key()).isEqualTo("server.port"));
    }
}
