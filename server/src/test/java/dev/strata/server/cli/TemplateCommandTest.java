package dev.strata.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.engine.gguf.GgufValueType;
import dev.strata.engine.gguf.GgufWriter;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TemplateCommandTest {
    @TempDir
    Path dir;

    record Result(int exitCode, String out, String err) {}

    static Result strata(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = StrataCommand.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(code, out.toString(), err.toString());
    }

    private Path model(String template) {
        Path file = dir.resolve("m.gguf");
        GgufWriter w = new GgufWriter().putString("general.architecture", "llama")
                .putArray("tokenizer.ggml.tokens", GgufValueType.STRING, new String[] {"<unk>", "<s>", "</s>"})
                .putUInt32("tokenizer.ggml.bos_token_id", 1)
                .putUInt32("tokenizer.ggml.eos_token_id", 2);
        if (template != null) {
            w.putString("tokenizer.chat_template", template);
        }
        w.write(file);
        return file;
    }

    @Test
    void printsTheRenderedPrompt() {
        Path m = model("{{ bos_token }}{% for m in messages %}[{{ m.role }}]{{ m.content }}{% endfor %}"
                + "{% if add_generation_prompt %}[assistant]{% endif %}{{ tools|length if tools is defined }}{{ x }}");
        Result r = strata("template", "-m", m.toString(), "--messages", "[{\"role\":\"user\",\"content\":\"hi\"}]",
                "--tools", "[{\"type\":\"function\"}]", "--var", "x=true");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).isEqualTo("<s>[user]hi[assistant]1True");
        assertThat(r.err()).isEmpty();
    }

    @Test
    void modelWithoutTemplateWarnsAndUsesChatMl() {
        Result r = strata("template", "-m", model(null).toString(), "--no-generation-prompt",
                "--messages", "[{\"role\":\"user\",\"content\":\"hi\"}]");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).isEqualTo("<|im_start|>user\nhi<|im_end|>\n");
        assertThat(r.err()).contains("no chat template");
    }

    @Test
    void templateErrorsAndBadJsonExitTwo() {
        Path m = model("{{ raise_exception('roles must alternate') }}");
        Result raised = strata("template", "-m", m.toString(), "--messages", "[]");
        assertThat(raised.exitCode()).isEqualTo(2);
        assertThat(raised.err()).contains("roles must alternate");
        Result bad = strata("template", "-m", m.toString(), "--messages", "{not json");
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.err()).contains("--messages is not valid JSON");
    }
}
