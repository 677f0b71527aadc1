package dev.strata.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeysCommandTest {
    @TempDir
    Path dir;

    private record Result(int code, String out, String err) {}

    private static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = StrataCommand.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(code, out.toString(), err.toString());
    }

    @Test
    void createListRotateRevokeShareOneStore() {
        Result created = run("keys", "create", "--tenant", "acme", "--rpm", "5", "--models", "a,b", "--data-dir",
                dir.toString());
        assertThat(created.code()).isZero();
        String key = created.out().strip();
        assertThat(key).startsWith("sk-strata-");
        assertThat(created.err()).contains("shown only once");
        String id = key.substring("sk-strata-".length(), key.indexOf('_'));

        Result list = run("keys", "list", "--data-dir", dir.toString());
        assertThat(list.out()).contains(id).contains("acme").contains("active").contains("rpm=5 models=a,b")
                .doesNotContain(key.substring(key.indexOf('_') + 1));

        Result rotated = run("keys", "rotate", id, "--data-dir", dir.toString());
        assertThat(rotated.code()).isZero();
        assertThat(run("keys", "list", "--data-dir", dir.toString()).out()).contains("revoked");

        String newId = rotated.out().strip().substring("sk-strata-".length(), rotated.out().strip().indexOf('_'));
        assertThat(run("keys", "revoke", newId, "--data-dir", dir.toString()).out()).contains("revoked " + newId);
        Result again = run("keys", "revoke", newId, "--data-dir", dir.toString());
        assertThat(again.code()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(again.err()).contains("no active key");
    }

    @Test
    void badTenantNameIsRefused() {
        Result r = run("keys", "create", "--tenant", "no spaces", "--data-dir", dir.toString());
        assertThat(r.code()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(r.err()).contains("tenant name");
    }
}
