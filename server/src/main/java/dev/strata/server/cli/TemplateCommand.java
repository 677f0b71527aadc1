package dev.strata.server.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.engine.gguf.GgufFile;
import dev.strata.engine.template.ChatTemplate;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code strata template -m FILE --messages JSON}: renders the model's chat template for a
 * conversation and prints the prompt text exactly (no newline added), to see what the model will
 * be given.
 */
@Command(name = "template", mixinStandardHelpOptions = true,
        description = "Render a model's chat template for a conversation and print the prompt text.")
final class TemplateCommand implements Callable<Integer> {

    @Option(names = {"-m", "--model"}, required = true, paramLabel = "FILE", description = "A .gguf model file.")
    Path model;

    @Option(names = "--messages", required = true, paramLabel = "JSON",
            description = "The conversation: a JSON array of {\"role\", \"content\", ...} messages, or @FILE.")
    String messages;

    @Option(names = "--tools", paramLabel = "JSON", description = "Tools offered: a JSON array, or @FILE.")
    String tools;

    @Option(names = "--var", paramLabel = "NAME=JSON",
            description = "An extra template variable, e.g. --var enable_thinking=false (repeatable).")
    Map<String, String> variables = new LinkedHashMap<>();

    @Option(names = "--no-generation-prompt", description = "Do not open the assistant's turn at the end.")
    boolean noGenerationPrompt;

    @Option(names = "--template", paramLabel = "JINJA", description = "Use this template file instead of the model's.")
    Path templateFile;

    @Spec
    CommandSpec spec;

    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public Integer call() throws IOException {
        try (GgufFile gguf = GgufFile.open(model)) {
            ChatTemplate template = ChatTemplate.fromGguf(gguf);
            if (templateFile != null) {
                template = ChatTemplate.compile(Files.readString(templateFile, StandardCharsets.UTF_8), template.options());
            } else if (template.isFallback()) {
                spec.commandLine().getErr().println("warning: " + model + " has no chat template; using ChatML");
            }
            Map<String, Object> vars = new HashMap<>();
            for (Map.Entry<String, String> v : variables.entrySet()) {
                vars.put(v.getKey(), json(v.getValue(), "--var " + v.getKey()));
            }
            vars.put("messages", json(text(messages), "--messages"));
            if (tools != null) {
                vars.put("tools", json(text(tools), "--tools"));
            }
            vars.put("add_generation_prompt", !noGenerationPrompt);
            PrintWriter out = spec.commandLine().getOut();
            out.print(template.renderVariables(vars));
            out.flush();
        }
        return ExitCodes.OK;
    }

    private static String text(String valueOrFile) throws IOException {
        return valueOrFile.startsWith("@")
                ? Files.readString(Path.of(valueOrFile.substring(1)), StandardCharsets.UTF_8) : valueOrFile;
    }

    private static Object json(String text, String option) {
        try {
            Object value = JSON.readValue(text, Object.class);
            if (option.equals("--messages") && !(value instanceof List<?>)) {
                throw new CliException(option + " must be a JSON array", ExitCodes.BAD_INPUT);
            }
            return value;
        } catch (JsonProcessingException e) {
            throw new CliException(option + " is not valid JSON: " + e.getOriginalMessage(), ExitCodes.BAD_INPUT);
        }
    }
}
