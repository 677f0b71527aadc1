package dev.strata.bench.speed;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.bench.gen.BlockEncoder;
import dev.strata.bench.gen.ModelGenerator;
import dev.strata.bench.gen.ModelShape;
import dev.strata.bench.gen.Vocab;
import dev.strata.bench.gen.WeightType;
import dev.strata.engine.gguf.GgufFile;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EngineBenchmarkTest {
    @Test
    void timesBothEnginesOnTheSameFile(@TempDir Path dir) {
        Path file = dir.resolve("tiny.gguf");
        Vocab vocab = Vocab.fromGguf(Path.of(System.getProperty("strata.models.dir", "../models"), "stories260K.gguf"));
        new ModelGenerator(BlockEncoder.strata(), 1).generate(ModelShape.named("tiny-qwen2"), WeightType.Q8_0, vocab, 5, file);
        EngineBenchmark.Result r = EngineBenchmark.run(new EngineBenchmark.Config(file, 1, 16, 4, 2, true));
        assertThat(r.strata().prefillTokensPerSecond().count()).isEqualTo(2);
        assertThat(r.strata().prefillTokensPerSecond().median()).isPositive();
        assertThat(r.strata().decodeTokensPerSecond().median()).isPositive();
        assertThat(r.peer()).isPresent();
        assertThat(r.peer().orElseThrow().decodeTokensPerSecond().median()).isPositive();
        assertThat(r.decodeRatio().orElseThrow()).isPositive();
        assertThat(r.fileBytes()).isPositive();
        assertThat(r.strataMemory().afterLoadBytes()).isNotZero();
        assertThat(r.peerMemory()).isPresent();
        try (GgufFile gguf = GgufFile.open(file)) {
            // tied embedding: it is the output matrix too, so every tensor is read per token
            assertThat(r.weightBytesPerToken()).isEqualTo(gguf.tensors().stream().mapToLong(t -> t.sizeBytes()).sum());
        }
    }

    @Test
    void statsGiveMedianAndSpread() {
        Stats s = Stats.of(new double[] {10, 30, 20, 40});
        assertThat(s.median()).isEqualTo(25);
        assertThat(s.min()).isEqualTo(10);
        assertThat(s.max()).isEqualTo(40);
        assertThat(s.spreadPercent()).isEqualTo(60);
    }

    @Test
    void promptIdsAreDeterministicOrdinaryTokens() {
        int[] a = EngineBenchmark.prompt(100, 512);
        assertThat(a).containsExactly(EngineBenchmark.prompt(100, 512));
        for (int t : a) {
            assertThat(t).isBetween(100, 511);
        }
    }

    @Test
    void residentMemoryParsesProcStatusKiloBytes() {
        assertThat(ResidentMemory.parseKiloBytes("   123456 kB")).isEqualTo(123456);
        assertThat(ResidentMemory.bytes()).isNotZero();
    }

    /**
     * Opening a model maps it and reads metadata only: the resident pages of its mapping right after
     * loading are far below the file's size (here a 144 MB file; weights are touched by the first request).
     */
    @Test
    void loadingDoesNotReadTheWholeFile(@TempDir Path dir) {
        Path file = dir.resolve("big.gguf");
        Vocab vocab = Vocab.fromGguf(Path.of(System.getProperty("strata.models.dir", "../models"), "stories260K.gguf"));
        new ModelGenerator(BlockEncoder.strata(), 1).generate(ModelShape.named("smollm2-135m"), WeightType.Q8_0, vocab, 7, file);
        long fileBytes = file.toFile().length();
        assertThat(fileBytes).isGreaterThan(100L << 20);
        try (StrataRunner strata = new StrataRunner(file, 1, 64, 16)) {
            // the file's own resident pages: other test classes in this JVM move VmRSS, not these
            long resident = ResidentMemory.mappedBytes(file);
            assertThat(resident).as("resident pages of a %d-byte model right after loading", fileBytes)
                    .isPositive().isLessThan(fileBytes / 4);
        }
    }

    /** Repetitions of one prompt are rotations (same ids, same work) that share no prefix with each other. */
    @Test
    void eachRunsPromptIsARotationWithAnotherFirstToken() {
        int[] prompt = EngineBenchmark.prompt(40, 512);
        int[] first = StrataRunner.promptOfRun(prompt, 0);
        int[] second = StrataRunner.promptOfRun(prompt, 1);
        assertThat(first).containsExactly(prompt);
        assertThat(second).containsExactlyInAnyOrder(prompt);
        assertThat(second[0]).isEqualTo(prompt[1]);
        assertThat(second[39]).isEqualTo(prompt[0]);
    }
}
