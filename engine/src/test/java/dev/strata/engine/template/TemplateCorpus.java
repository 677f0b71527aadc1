package dev.strata.engine.template;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The real chat templates and their expected renderings under {@code src/test/resources/templates}
 * (see PROVENANCE.md there), read for the parity tests.
 */
final class TemplateCorpus {

    static final ObjectMapper JSON = new ObjectMapper();

    /** The fixed time the rendered/ data was produced with (Python's strftime_now stub). */
    static final Clock FIXED_CLOCK = Clock.fixed(Instant.parse("2024-07-26T00:00:00Z"), ZoneOffset.UTC);

    private TemplateCorpus() {}

    static Path root() {
        try {
            return Path.of(TemplateCorpus.class.getResource("/templates/README.md").toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static List<Path> files(String dir, String suffix) {
        try (Stream<Path> s = Files.list(root().resolve(dir))) {
            return s.filter(p -> p.getFileName().toString().endsWith(suffix)).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode readJson(Path p) {
        try {
            return JSON.readTree(p.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A case's template: inline, or a file under the corpus root. */
    static String template(JsonNode c) {
        if (c.hasNonNull("template") && !c.get("template").asText().isEmpty()) {
            return c.get("template").asText();
        }
        return read(root().resolve(c.get("template_file").asText()));
    }

    /** The case's messages as raw JSON-like values (as a Python caller would pass them). */
    @SuppressWarnings("unchecked")
    static List<Object> messages(JsonNode messages) {
        return JSON.convertValue(messages, List.class);
    }

    /** Compiled templates shared by the cases of a run (compiling is the slow part; rendering is not). */
    private static final Map<List<String>, ChatTemplate> COMPILED = new java.util.concurrent.ConcurrentHashMap<>();

    static ChatTemplate compiled(String template, String bos, String eos) {
        return COMPILED.computeIfAbsent(List.of(template, bos, eos),
                k -> ChatTemplate.compile(template, new TemplateOptions(bos, eos, FIXED_CLOCK)));
    }

    static String render(String template, JsonNode c) {
        ChatTemplate t = compiled(template, c.get("bos_token").asText(), c.get("eos_token").asText());
        Map<String, Object> vars = new java.util.HashMap<>();
        vars.put("messages", messages(c.get("messages")));
        vars.put("add_generation_prompt", c.get("add_generation_prompt").asBoolean());
        return t.renderVariables(vars);
    }

    /** Renders a derived case: its variables as given, with its BOS/EOS strings. */
    @SuppressWarnings("unchecked")
    static String renderDerived(String template, JsonNode c) {
        ChatTemplate t = compiled(template, c.get("bos_token").asText(), c.get("eos_token").asText());
        return t.renderVariables(JSON.convertValue(c.get("variables"), Map.class));
    }

    /** The message of a recorded Python error, without its class: "TemplateError: x" is "x". */
    static String errorMessage(String recorded) {
        int colon = recorded.indexOf(": ");
        return colon > 0 && recorded.substring(0, colon).matches("\\w+") ? recorded.substring(colon + 2) : recorded;
    }

    static List<String> names(List<Path> paths) {
        List<String> out = new ArrayList<>();
        paths.forEach(p -> out.add(p.getFileName().toString()));
        return out;
    }
}
