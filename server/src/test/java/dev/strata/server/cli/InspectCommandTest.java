package dev.strata.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InspectCommandTest {
    @TempDir
    Path dir;

    static Path demoModel() {
        return Path.of(System.getProperty("strata.models.dir", "../models"), "stories260K.gguf");
    }

    record Result(int exitCode, String out, String err) {}

    static Result strata(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = StrataCommand.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(code, out.toString(), err.toString());
    }

    @Test
    void printsMetadataAndTensorTable() {
        Result r = strata("inspect", demoModel().toString());
        assertThat(r.exitCode()).isZero();
        assertThat(r.out())
                .contains("version 3, 23 metadata keys, 47 tensors, alignment 32")
                .containsPattern("general\\.architecture\\s+string\\s+\"llama\"")
                .containsPattern("tokenizer\\.ggml\\.tokens\\s+arr\\[string\\] 512 elements: \\[\"<unk>\", \"<s>\"")
                .containsPattern("blk\\.4\\.ffn_down\\.weight\\s+F32\\s+\\[172, 64\\]")
                .contains("47 tensors, 1,040,128 bytes of tensor data");
        assertThat(r.err()).isEmpty();
    }

    @Test
    void truncatedFileExitsTwoWithOneLine() throws IOException {
        byte[] bytes = Files.readAllBytes(demoModel());
        Path cut = Files.write(dir.resolve("cut.gguf"), Arrays.copyOf(bytes, bytes.length / 2));
        Result r = strata("inspect", cut.toString());
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err().lines()).hasSize(1);
        assertThat(r.err()).startsWith("error: truncated GGUF file");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void missingOrNonGgufFileExitsTwo() throws IOException {
        Result missing = strata("inspect", dir.resolve("nope.gguf").toString());
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.err()).startsWith("error: no such file").doesNotContain("Exception");
        Path text = Files.writeString(dir.resolve("notes.txt"), "just text");
        Result notGguf = strata("inspect", text.toString());
        assertThat(notGguf.exitCode()).isEqualTo(2);
        assertThat(notGguf.err()).startsWith("error: not a GGUF file");
    }

    @Test
    void usageErrorsExitTwoAndHelpWorks() {
        Result noArg = strata("inspect");
        assertThat(noArg.exitCode()).isEqualTo(2);
        assertThat(noArg.err()).contains("Missing required parameter");
        Result help = strata("inspect", "--help");
        assertThat(help.exitCode()).isZero();
        assertThat(help.out()).contains("Usage: strata inspect");
        assertThat(strata("--version").out()).startsWith("strata ");
    }
}
