package dev.strata.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.server.hub.FakeHub;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code strata pull} against a fake hub on loopback: pick, list, resume, verify, auth. */
class PullCommandTest {
    private static final String REPO = "acme/tiny-GGUF";

    @TempDir
    Path dir;

    private FakeHub hub;
    private final byte[] q4 = bytes(300_000, 1);
    private final byte[] q8 = bytes(500_000, 2);

    private static byte[] bytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    @BeforeEach
    void start() throws Exception {
        hub = new FakeHub(REPO);
        hub.put("tiny-Q8_0.gguf", q8);
        hub.put("tiny-Q4_K_M.gguf", q4);
    }

    @AfterEach
    void stop() {
        hub.close();
    }

    private record Run(int exitCode, String out, String err) {}

    private Run pull(Map<String, String> extraEnv, String... args) {
        Map<String, String> env = new java.util.HashMap<>(Map.of("HF_ENDPOINT", hub.uri().toString()));
        env.putAll(extraEnv);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new PullCommand(env));
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        cli.setExecutionExceptionHandler((e, c, p) -> {
            err.write("error: " + e.getMessage());
            return StrataCommand.exitCodeOf(e);
        });
        int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void picksQ4KmWhenNoFileIsNamedAndVerifiesIt() throws Exception {
        Run r = pull(Map.of(), REPO, "--dir", dir.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        Path file = dir.resolve("tiny-Q4_K_M.gguf");
        assertThat(r.out().strip()).isEqualTo(file.toString());
        assertThat(Files.readAllBytes(file)).isEqualTo(q4);
        assertThat(r.err()).contains("100%");
        assertThat(dir.resolve("tiny-Q4_K_M.gguf.part")).doesNotExist();
    }

    @Test
    void listsFiles() {
        Run r = pull(Map.of(), REPO, "--list");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).contains("tiny-Q8_0.gguf").contains("tiny-Q4_K_M.gguf").doesNotContain("README");
    }

    @Test
    void resumesAnInterruptedDownload() throws Exception {
        hub.cutNextDownloadAfter(200_000);
        Run first = pull(Map.of(), REPO + ":tiny-Q8_0.gguf", "--dir", dir.toString());
        assertThat(first.exitCode()).isEqualTo(ExitCodes.FAILURE);
        assertThat(first.err()).contains("run the command again to resume");
        // The hub sends 200,000 bytes and drops the connection; how many of them the client reads
        // before the drop is up to the TCP stack, so the kept part is at most that, and never empty.
        assertThat(Files.size(dir.resolve("tiny-Q8_0.gguf.part"))).isPositive().isLessThanOrEqualTo(200_000);

        Run second = pull(Map.of(), REPO + ":tiny-Q8_0.gguf", "--dir", dir.toString());
        assertThat(second.exitCode()).as(second.err()).isZero();
        assertThat(hub.rangeRequests.get()).isEqualTo(1);
        assertThat(Files.readAllBytes(dir.resolve("tiny-Q8_0.gguf"))).isEqualTo(q8);
    }

    @Test
    void corruptDownloadIsDeletedAndReported() {
        hub.corruptDownloads(true);
        Run r = pull(Map.of(), REPO + ":tiny-Q8_0.gguf", "--dir", dir.toString());
        assertThat(r.exitCode()).isEqualTo(ExitCodes.FAILURE);
        assertThat(r.err()).contains("sha256");
        assertThat(dir.resolve("tiny-Q8_0.gguf")).doesNotExist();
        assertThat(dir.resolve("tiny-Q8_0.gguf.part")).doesNotExist();
    }

    @Test
    void gatedRepositoryNeedsTheToken() {
        hub.requireToken("secret");
        assertThat(pull(Map.of(), REPO, "--list").err()).contains("HF_TOKEN");
        assertThat(pull(Map.of("HF_TOKEN", "secret"), REPO, "--list").exitCode()).isZero();
    }

    @Test
    void unknownFileAndBadReferenceAreBadInput() {
        assertThat(pull(Map.of(), REPO + ":nope.gguf", "--dir", dir.toString()).exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(pull(Map.of(), "not-a-repo").exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
    }
}
