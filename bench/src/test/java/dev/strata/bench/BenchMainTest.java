package dev.strata.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class BenchMainTest {
    @Test
    void aBenchmarkRefusingItsArgumentsPrintsOneLineAndExitsWithTwo() {
        StringWriter err = new StringWriter();
        int code = BenchMain.run(new String[] {"engine", "-m", "/nonexistent.gguf", "--gen-tokens", "1"},
                new PrintWriter(err), false);
        assertThat(code).isEqualTo(BenchMain.BAD_INPUT);
        assertThat(err.toString().lines()).hasSize(1);
        assertThat(err.toString()).startsWith("error: ").contains("genTokens");
    }

    @Test
    void anUnknownOptionIsPicocliUsageErrorNotATrace() {
        StringWriter err = new StringWriter();
        int code = BenchMain.run(new String[] {"engine", "--no-such-option"}, new PrintWriter(err), false);
        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).doesNotContain("\tat ");
    }
}
