package dev.strata.server.cli;

import static dev.strata.server.cli.InspectCommandTest.demoModel;
import static dev.strata.server.cli.InspectCommandTest.strata;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenizeCommandTest {
    @TempDir
    Path dir;

    @Test
    void printsIdsAndPiecesOnePerLine() {
        InspectCommandTest.Result r = strata("tokenize", "-m", demoModel().toString(), "Once upon a time");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out().lines()).containsExactly(
                "  1  \"<s>\"", "403  \"▁Once\"", "407  \"▁upon\"", "261  \"▁a\"", "378  \"▁time\"");
        assertThat(r.err()).isEmpty();
    }

    @Test
    void idsOnlyPrintsOneLine() {
        InspectCommandTest.Result r = strata("tokenize", "-m", demoModel().toString(), "--ids", "Once upon a time");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).isEqualTo("1 403 407 261 378" + System.lineSeparator());
        InspectCommandTest.Result noBos = strata("tokenize", "-m", demoModel().toString(), "--ids", "--no-bos", "a");
        assertThat(noBos.out().strip()).isEqualTo("261");
    }

    @Test
    void specialTokensAreParsedOnlyWithSpecial() {
        String model = demoModel().toString();
        assertThat(strata("tokenize", "-m", model, "--ids", "--no-bos", "--special", "<s>a").out().strip())
                .isEqualTo("1 261");
        assertThat(strata("tokenize", "-m", model, "--ids", "--no-bos", "<s>a").out().strip())
                .doesNotStartWith("1 ");
    }

    @Test
    void escapesControlCharactersInPieces() {
        InspectCommandTest.Result r = strata("tokenize", "-m", demoModel().toString(), "--no-bos", "a\nb");
        assertThat(r.out()).contains("\"<0x0A>\"");
        assertThat(TokenizeCommand.quote("a\"b\\c\n\u0001")).isEqualTo("\"a\\\"b\\\\c\\n\\x01\"");
    }

    @Test
    void readsStandardInputAsUtf8() {
        byte[] bytes = "héllo\n".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertThat(TokenizeCommand.readAll(new java.io.ByteArrayInputStream(bytes))).isEqualTo("héllo\n");
    }

    @Test
    void badModelsExitTwoWithOneLine() throws IOException {
        InspectCommandTest.Result missing = strata("tokenize", "-m", dir.resolve("nope.gguf").toString(), "hi");
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.err().lines()).hasSize(1);
        assertThat(missing.err()).startsWith("error: no such file");
        Path text = Files.writeString(dir.resolve("notes.txt"), "just text");
        InspectCommandTest.Result notGguf = strata("tokenize", "-m", text.toString(), "hi");
        assertThat(notGguf.exitCode()).isEqualTo(2);
        assertThat(notGguf.err()).startsWith("error: not a GGUF file");
        InspectCommandTest.Result noText = strata("tokenize", "-m", demoModel().toString());
        assertThat(noText.exitCode()).isEqualTo(2);
        assertThat(noText.err()).contains("Missing required parameter");
    }
}
