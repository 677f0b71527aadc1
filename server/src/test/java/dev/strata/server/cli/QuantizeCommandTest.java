package dev.strata.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.engine.gguf.GgmlType;
import dev.strata.engine.gguf.GgufFile;
import dev.strata.engine.gguf.GgufTensorInfo;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QuantizeCommandTest {
    @TempDir
    Path dir;

    private static Path model(String name) {
        return Path.of(System.getProperty("strata.models.dir", "../models"), name);
    }

    private static InspectCommandTest.Result strata(String... args) {
        return InspectCommandTest.strata(args);
    }

    @Test
    void q8_0ReproducesTheBundledQ8_0ModelTensorForTensor() {
        Path out = dir.resolve("q8.gguf");
        InspectCommandTest.Result r = strata("quantize", model("stories260K.gguf").toString(), out.toString(), "q8_0",
                "--threads", "2");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("31 tensors written as Q8_0, 5 fell back, 11 kept as they were");
        try (GgufFile ours = GgufFile.open(out); GgufFile reference = GgufFile.open(model("stories260K-q8_0.gguf"));
                GgufFile source = GgufFile.open(model("stories260K.gguf"))) {
            assertThat(ours.getLong("general.file_type")).contains(7L);
            assertThat(ours.getLong("general.quantization_version")).contains(2L);
            assertThat(ours.getString("general.architecture")).contains("llama");
            // every source key is kept (alignment 32 is the default and written implicitly)
            assertThat(ours.metadata().keySet()).containsAll(source.metadata().keySet().stream()
                    .filter(k -> !k.equals("general.alignment")).toList());
            assertThat(ours.alignment()).isEqualTo(source.alignment());
            assertThat(ours.tensors()).hasSameSizeAs(reference.tensors());
            for (GgufTensorInfo theirs : reference.tensors()) {
                GgufTensorInfo mine = ours.tensor(theirs.name()).orElseThrow();
                assertThat(mine.type()).as(theirs.name()).isEqualTo(theirs.type());
                assertThat(mine.shape()).isEqualTo(theirs.shape());
                assertThat(ours.tensorData(mine).toArray(ValueLayout.JAVA_BYTE))
                        .as(theirs.name()).isEqualTo(reference.tensorData(theirs).toArray(ValueLayout.JAVA_BYTE));
            }
        }
    }

    @Test
    void kQuantFallsBackLikeLlamaCppWhenRowsDoNotFit() {
        Path out = dir.resolve("q4k.gguf");
        InspectCommandTest.Result r = strata("quantize", model("stories260K.gguf").toString(), out.toString(), "Q4_K");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("blk.0.attn_q.weight: rows do not fit Q4_K blocks, written as Q5_0")
                .contains("blk.0.ffn_down.weight: rows do not fit Q4_K blocks, written as F32");
        try (GgufFile ours = GgufFile.open(out)) {
            assertThat(ours.tensor("token_embd.weight").orElseThrow().type()).isEqualTo(GgmlType.Q5_0);
            assertThat(ours.tensor("blk.3.ffn_down.weight").orElseThrow().type()).isEqualTo(GgmlType.F32);
            assertThat(ours.tensor("blk.3.ffn_norm.weight").orElseThrow().type()).isEqualTo(GgmlType.F32);
            assertThat(ours.getLong("general.file_type")).contains(14L);
        }
    }

    @Test
    void strictModeRefusesWithOneLineNamingTheTensor() {
        Path out = dir.resolve("strict.gguf");
        InspectCommandTest.Result r = strata("quantize", "--strict", model("stories260K.gguf").toString(), out.toString(),
                "Q8_0");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err().lines()).hasSize(1);
        assertThat(r.err()).startsWith("error: tensor blk.0.ffn_down.weight has rows of 172 elements, not a multiple of"
                + " Q8_0's block size 32");
        assertThat(Files.exists(out)).isFalse();
    }

    @Test
    void badInputExitsTwoWithOneLine() {
        String in = model("stories260K.gguf").toString();
        String out = dir.resolve("x.gguf").toString();
        InspectCommandTest.Result badType = strata("quantize", in, out, "Q9_9");
        assertThat(badType.exitCode()).isEqualTo(2);
        assertThat(badType.err()).startsWith("error: unsupported TYPE 'Q9_9'");
        assertThat(badType.err().lines()).hasSize(1);
        InspectCommandTest.Result activationType = strata("quantize", in, out, "Q8_K");
        assertThat(activationType.exitCode()).isEqualTo(2);
        InspectCommandTest.Result requantize = strata("quantize", model("stories260K-q8_0.gguf").toString(), out, "Q4_0");
        assertThat(requantize.exitCode()).isEqualTo(2);
        assertThat(requantize.err()).startsWith("error: tensor token_embd.weight is already Q8_0");
        InspectCommandTest.Result missing = strata("quantize", dir.resolve("nope.gguf").toString(), out, "Q4_0");
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.err()).startsWith("error: no such file");
        InspectCommandTest.Result same = strata("quantize", in, in, "Q4_0");
        assertThat(same.exitCode()).isEqualTo(2);
        assertThat(same.err()).startsWith("error: OUT must differ from IN");
    }

    @Test
    void requantizeWhenAllowedAndHelp() {
        Path out = dir.resolve("re.gguf");
        InspectCommandTest.Result r = strata("quantize", "--allow-requantize", model("stories260K-q8_0.gguf").toString(),
                out.toString(), "Q4_0");
        assertThat(r.exitCode()).as(r.err()).isZero();
        try (GgufFile ours = GgufFile.open(out)) {
            assertThat(ours.tensor("blk.1.attn_k.weight").orElseThrow().type()).isEqualTo(GgmlType.Q4_0);
        }
        assertThat(strata("quantize", "--help").out()).contains("Usage: strata quantize");
    }
}
