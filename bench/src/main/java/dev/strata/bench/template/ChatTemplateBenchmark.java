package dev.strata.bench.template;

import dev.strata.engine.template.ChatMessage;
import dev.strata.engine.template.ChatTemplate;
import dev.strata.engine.template.TemplateOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Rendering one conversation (a system message and {@code turns} user/assistant pairs, then a
 * user message) with a compiled real template, as the server does once per request. Templates are
 * read from the engine's test corpus (run from the repository root, or set
 * {@code -Dstrata.templates.dir}).
 *
 * <pre>java -cp bench/target/strata-bench.jar org.openjdk.jmh.Main ChatTemplateBenchmark</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class ChatTemplateBenchmark {

    @Param({"Qwen-Qwen3-0.6B.jinja", "meta-llama-Llama-3.1-8B-Instruct.jinja", "openai-gpt-oss-120b.jinja"})
    public String template;

    @Param({"10"})
    public int turns;

    private ChatTemplate compiled;
    private List<ChatMessage> messages;

    @Setup
    public void setup() throws IOException {
        Path dir = Path.of(System.getProperty("strata.templates.dir", "engine/src/test/resources/templates"));
        compiled = ChatTemplate.compile(Files.readString(dir.resolve(template)), TemplateOptions.of("<s>", "</s>"));
        messages = new ArrayList<>();
        messages.add(ChatMessage.system("You are a helpful assistant."));
        for (int i = 0; i < turns; i++) {
            messages.add(ChatMessage.user("Question " + i + ": what is the capital of country number " + i + "?"));
            messages.add(ChatMessage.assistant("The answer to question " + i + " is a city."));
        }
        messages.add(ChatMessage.user("Thanks, one more question."));
    }

    @Benchmark
    public String render() {
        return compiled.render(messages, true);
    }
}
