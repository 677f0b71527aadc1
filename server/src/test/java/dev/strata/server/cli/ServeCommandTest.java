package dev.strata.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code strata serve} refuses a bad configuration with one line naming the key, before binding anything. */
class ServeCommandTest {
    @TempDir
    Path dir;

    private record Run(int exitCode, String err) {}

    private static Run serve(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String[] all = new String[args.length + 1];
        all[0] = "serve";
        System.arraycopy(args, 0, all, 1, args.length);
        int code = StrataCommand.run(all, new PrintWriter(out), new PrintWriter(err));
        return new Run(code, err.toString());
    }

    @Test
    void invalidConfigIsOneLineNamingTheKey() throws Exception {
        Path cfg = Files.writeString(dir.resolve("strata.yaml"), "server:\n  limits:\n    max_n: 0\n");
        Run r = serve("--config", cfg.toString());
        assertThat(r.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(r.err().strip()).startsWith("error: server.limits.max_n: ").doesNotContain("\n");
    }

    @Test
    void missingModelFileNamesTheFlag() {
        Run r = serve("-m", dir.resolve("nope.gguf").toString());
        assertThat(r.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(r.err()).contains("models[0].path").contains("file not found");
    }

    @Test
    void badFlagIsAUsageError() {
        assertThat(serve("--port", "http").exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
    }
}
