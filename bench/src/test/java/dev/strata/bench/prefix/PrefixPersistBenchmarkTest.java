package dev.strata.bench.prefix;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.engine.kv.KvCacheType;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The benchmark's restarted engine really reads the prefix back from disk (no timing is asserted). */
class PrefixPersistBenchmarkTest {
    @TempDir
    Path dir;

    @Test
    void theRestartedEngineFindsTheSystemPromptOnDisk() throws Exception {
        Path model = Path.of(System.getProperty("strata.models.dir", "../models"), "stories260K.gguf");
        PrefixPersistBenchmark.Result r = PrefixPersistBenchmark.run(
                new PrefixPersistBenchmark.Config(model, 1, 200, 1, KvCacheType.F16, 64), dir);
        assertThat(r.cachedPromptTokens()).isEqualTo(192);        // 12 full blocks of the 200-token prefix
        assertThat(r.blocksLoaded()).isEqualTo(12);
        assertThat(r.diskBytes()).isPositive();
        assertThat(r.coldTtftMillis()).isPositive();
        assertThat(r.restartTtftMillis()).isPositive();
        try (var left = Files.list(dir)) {
            assertThat(left).as("each round cleans up its directory").isEmpty();
        }
    }
}
