package dev.strata.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class RunCommandTest {
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

    static JsonNode golden() throws IOException {
        try (InputStream in = RunCommandTest.class.getResourceAsStream("/golden/stories260K-greedy.json")) {
            return new ObjectMapper().readTree(in);
        }
    }

    @Test
    void greedyRunPrintsExactlyTheGoldenTextForEveryPrompt() throws IOException {
        for (JsonNode g : golden()) {
            String prompt = g.get("prompt").asText();
            int steps = g.get("output_token_ids").size();
            Result r = strata("run", "-m", demoModel().toString(), "-p", prompt, "-n", String.valueOf(steps),
                    "--temp", "0", "--threads", "1");
            assertThat(r.exitCode()).as(prompt).isZero();
            assertThat(r.out()).as(prompt).isEqualTo(g.get("text").asText() + System.lineSeparator());
            assertThat(r.err()).as(prompt).containsPattern("prompt: \\d+ tokens .*generated: " + steps + " tokens");
        }
    }

    @Test
    void hundredTokensFromOnceUponATimeAreAPrefixOfTheGoldenText() throws IOException {
        String text = golden().get(1).get("text").asText();
        Result r = strata("run", "-m", demoModel().toString(), "-p", "Once upon a time", "-n", "100", "--temp", "0");
        assertThat(r.exitCode()).isZero();
        String printed = r.out().stripTrailing();
        assertThat(text).startsWith(printed);
        assertThat(printed.length()).isGreaterThan(200);
        assertThat(r.err()).contains("generated: 100 tokens");
    }

    @Test
    void f16KvCacheKeepsTheGreedyGoldenTextAndBadTypesAreOneLineErrors() throws IOException {
        JsonNode g = golden().get(1);
        int steps = g.get("output_token_ids").size();
        Result r = strata("run", "-m", demoModel().toString(), "-p", g.get("prompt").asText(), "-n",
                String.valueOf(steps), "--temp", "0", "--threads", "1", "--kv-cache-type", "f16");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).isEqualTo(g.get("text").asText() + System.lineSeparator());

        Result q8 = strata("run", "-m", demoModel().toString(), "-p", "Lily", "-n", "8", "--temp", "0",
                "--kv-cache-type", "q8_0");
        assertThat(q8.exitCode()).isZero();

        Result bad = strata("run", "-m", demoModel().toString(), "-p", "Lily", "--kv-cache-type", "q4");
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.err()).isEqualTo("error: --kv-cache-type: unknown KV cache type \"q4\"; use f32, f16 or q8_0"
                + System.lineSeparator());
    }

    @Test
    void aKvCacheDirKeepsThePromptsBlocksForTheNextRun(@org.junit.jupiter.api.io.TempDir Path dir)
            throws IOException {
        String prompt = "Once upon a time, there was a little girl named Lily. She loved to play outside in the sun.";
        String[] args = {"run", "-m", demoModel().toString(), "-p", prompt, "-n", "12", "--temp", "0", "--threads", "1",
            "--kv-cache-dir", dir.toString(), "--kv-cache-disk-max", "1MiB"};
        Result first = strata(args);
        assertThat(first.exitCode()).isZero();
        Path modelDir = dir.resolve("stories260K");
        try (var files = java.nio.file.Files.list(modelDir)) {
            assertThat(files.filter(p -> p.toString().endsWith(".kvblock")).count()).isPositive();
        }
        Result second = strata(args);
        assertThat(second.out()).isEqualTo(first.out());

        Result bad = strata("run", "-m", demoModel().toString(), "-p", "Lily", "--kv-cache-disk-max", "1MiB");
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.err()).isEqualTo("error: --kv-cache-disk-max needs --kv-cache-dir" + System.lineSeparator());
    }

    @Test
    void seededSamplingRepeats() {
        String[] args = {"run", "-m", demoModel().toString(), "-p", "Lily", "-n", "20", "--temp", "1", "--seed", "7"};
        assertThat(strata(args).out()).isEqualTo(strata(args).out());
    }

    @Test
    void errorsAreOneLineWithExitCodeTwo() {
        Result missing = strata("run", "-m", "no/such.gguf", "-p", "hi");
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.err()).isEqualTo("error: no such file: no/such.gguf" + System.lineSeparator());

        Result temp = strata("run", "-m", demoModel().toString(), "-p", "hi", "--temp", "-1");
        assertThat(temp.exitCode()).isEqualTo(2);
        assertThat(temp.err().lines()).hasSize(1).first().asString().startsWith("error: temperature must be in");

        Result noPrompt = strata("run", "-m", demoModel().toString());
        assertThat(noPrompt.exitCode()).isEqualTo(2);

        String longPrompt = "once upon a time ".repeat(200);
        Result tooLong = strata("run", "-m", demoModel().toString(), "-p", longPrompt);
        assertThat(tooLong.exitCode()).isEqualTo(2);
        assertThat(tooLong.err()).matches("error: prompt of \\d+ tokens does not fit the context length of 512 tokens\\R");
    }
}
