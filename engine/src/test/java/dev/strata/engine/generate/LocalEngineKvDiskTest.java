package dev.strata.engine.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.engine.kv.BlockPool;
import dev.strata.engine.kv.DiskPrefixStore;
import dev.strata.engine.kv.KvCacheType;
import dev.strata.engine.model.GoldenFiles;
import dev.strata.engine.sample.SamplingParams;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The prefix cache persisted to a directory ({@link EngineOptions#kvCacheDisk()}) across engine restarts. */
class LocalEngineKvDiskTest {
    private static final int[] SYSTEM_PROMPT = systemPrompt(120);

    @TempDir
    Path dir;

    private static int[] systemPrompt(int n) {
        int[] golden = GoldenFiles.greedy().getFirst().outputTokenIds();
        int[] prompt = new int[n];
        prompt[0] = 1;
        System.arraycopy(golden, 0, prompt, 1, n - 1);
        return prompt;
    }

    private EngineOptions options(long diskMaxBytes) {
        return new EngineOptions(1, 2, 32, 0).withKvCacheDisk(new KvCacheDisk(dir, diskMaxBytes));
    }

    private static LocalEngineTest.Run generate(LocalEngine engine, int[] prompt) throws InterruptedException {
        return LocalEngineTest.drain(engine.submit(GenerationRequest.of("r", prompt, SamplingParams.GREEDY, 10)));
    }

    @Test
    void aRestartedEngineKeepsTheWarmSystemPrompt() throws InterruptedException {
        LocalEngineTest.Run cold;
        try (LocalEngine first = LocalEngine.open(LocalEngineTest.demoModel(), options(KvCacheDisk.DEFAULT_MAX_BYTES))) {
            cold = generate(first, SYSTEM_PROMPT);
            assertThat(cold.finished().usage().cachedPromptTokens()).isZero();
        } // close() writes the cached blocks
        try (LocalEngine second = LocalEngine.open(LocalEngineTest.demoModel(), options(KvCacheDisk.DEFAULT_MAX_BYTES))) {
            assertThat(second.kvDiskBytes()).isPositive();
            LocalEngineTest.Run warm = generate(second, SYSTEM_PROMPT);
            assertThat(warm.finished().usage().cachedPromptTokens()).isEqualTo(112); // 7 full blocks of 16
            assertThat(second.kvDiskLoads()).isEqualTo(7);
            assertThat(warm.ids()).containsExactly(cold.ids());
        }
    }

    @Test
    void prefixesEvictedFromASmallPoolComeBackFromDisk() throws InterruptedException {
        long block = BlockPool.bytesPerBlock(16, 5, 32, 32) + BlockPool.BLOCK_OVERHEAD_BYTES; // the demo model's
        EngineOptions small = options(KvCacheDisk.DEFAULT_MAX_BYTES).withKvMemoryBytes(10 * block);
        try (LocalEngine engine = LocalEngine.open(LocalEngineTest.demoModel(), small)) {
            assertThat(engine.kvBlocks()).isEqualTo(10);
            LocalEngineTest.Run cold = generate(engine, SYSTEM_PROMPT);
            int[] other = SYSTEM_PROMPT.clone();
            other[1] = 2;                              // shares no block with the system prompt
            generate(engine, other);                   // needs 9 of the 10 blocks: the system prompt is evicted
            assertThat(engine.kvDiskBytes()).isPositive();
            LocalEngineTest.Run warm = generate(engine, SYSTEM_PROMPT);
            assertThat(warm.finished().usage().cachedPromptTokens()).isEqualTo(112);
            assertThat(engine.kvDiskLoads()).isPositive();
            assertThat(warm.ids()).containsExactly(cold.ids());
        }
    }

    @Test
    void theDirectoryStaysWithinItsBound() throws InterruptedException, IOException {
        long oneBlockFile = 16L * 5 * (32 + 32) * 4 + 100; // a block of the demo model, plus header
        long bound = 3 * oneBlockFile;
        try (LocalEngine engine = LocalEngine.open(LocalEngineTest.demoModel(), options(bound))) {
            generate(engine, SYSTEM_PROMPT);
            generate(engine, systemPrompt(100));
        }
        assertThat(directoryBytes()).isPositive().isLessThanOrEqualTo(bound);
        try (LocalEngine again = LocalEngine.open(LocalEngineTest.demoModel(), options(bound))) {
            assertThat(again.kvDiskBytes()).isEqualTo(directoryBytes());
        }
    }

    @Test
    void corruptFilesAndAnotherKvTypeAreMissesNotFailures() throws InterruptedException, IOException {
        LocalEngineTest.Run cold;
        try (LocalEngine first = LocalEngine.open(LocalEngineTest.demoModel(), options(KvCacheDisk.DEFAULT_MAX_BYTES))) {
            cold = generate(first, SYSTEM_PROMPT);
        }
        try (LocalEngine f16 = LocalEngine.open(LocalEngineTest.demoModel(),
                options(KvCacheDisk.DEFAULT_MAX_BYTES).withKvCacheType(KvCacheType.F16))) {
            LocalEngineTest.Run other = generate(f16, SYSTEM_PROMPT);
            assertThat(other.finished().usage().cachedPromptTokens()).as("F32 blocks are foreign to F16").isZero();
        }
        for (Path p : files()) {
            if (p.getFileName().toString().endsWith(DiskPrefixStore.SUFFIX)) {
                byte[] bytes = Files.readAllBytes(p);
                bytes[bytes.length / 2] ^= 0x7F;
                Files.write(p, bytes);
            }
        }
        try (LocalEngine second = LocalEngine.open(LocalEngineTest.demoModel(), options(KvCacheDisk.DEFAULT_MAX_BYTES))) {
            LocalEngineTest.Run warm = generate(second, SYSTEM_PROMPT);
            assertThat(warm.finished().usage().cachedPromptTokens()).isZero();
            assertThat(second.kvDiskLoads()).isZero();
            assertThat(warm.ids()).containsExactly(cold.ids());
        }
    }

    @Test
    void anUnusableDirectoryIsAClearErrorAtOpen() throws IOException {
        Path file = Files.writeString(dir.resolve("not-a-dir"), "x");
        assertThatThrownBy(() -> LocalEngine.open(LocalEngineTest.demoModel(),
                new EngineOptions(1, 1, 8, 0).withKvCacheDisk(new KvCacheDisk(file))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("KV cache directory");
    }

    private List<Path> files() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        }
    }

    private long directoryBytes() throws IOException {
        long sum = 0;
        for (Path p : files()) {
            sum += Files.size(p);
        }
        return sum;
    }
}
