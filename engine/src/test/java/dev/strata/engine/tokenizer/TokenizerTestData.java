package dev.strata.engine.tokenizer;

import dev.strata.engine.gguf.GgufFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The vocabularies and vectors under {@code src/test/resources/tokenizers} (see PROVENANCE.md there). */
final class TokenizerTestData {
    /** llama.cpp's separator between test strings in a {@code .inp} file. */
    static final String SEPARATOR = "\n__ggml_vocab_test__\n";

    private static final ConcurrentHashMap<String, Tokenizer> CACHE = new ConcurrentHashMap<>();

    private TokenizerTestData() {}

    /** One test string and the ids llama.cpp produced for it (add_special=false, parse_special=false). */
    record Vector(int index, String text, int[] ids) {
        @Override
        public String toString() {
            return "#" + index + " " + escape(text);
        }
    }

    static Path resource(String name) {
        URL url = TokenizerTestData.class.getResource("/tokenizers/" + name);
        if (url == null) {
            throw new IllegalStateException("test resource tokenizers/" + name + " is missing");
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static Path demoModel() {
        return Path.of(System.getProperty("strata.models.dir", "../models"), "stories260K.gguf");
    }

    /** The tokenizer of {@code ggml-vocab-NAME.gguf}, built once per test run. */
    static Tokenizer vocab(String name) {
        return CACHE.computeIfAbsent(name, n -> {
            try (GgufFile gguf = GgufFile.open(resource("ggml-vocab-" + n + ".gguf"))) {
                return Tokenizers.fromGguf(gguf);
            }
        });
    }

    static Tokenizer demo() {
        return CACHE.computeIfAbsent("stories260K", n -> {
            try (GgufFile gguf = GgufFile.open(demoModel())) {
                return Tokenizers.fromGguf(gguf);
            }
        });
    }

    /** The vectors of {@code ggml-vocab-NAME.gguf.inp/.out}, parsed as llama.cpp's test-tokenizer-0 does. */
    static List<Vector> vectors(String name) {
        try {
            String inp = Files.readString(resource("ggml-vocab-" + name + ".gguf.inp"), StandardCharsets.UTF_8);
            List<String> outLines = Files.readAllLines(resource("ggml-vocab-" + name + ".gguf.out"),
                    StandardCharsets.UTF_8);
            List<String> texts = new ArrayList<>();
            int from = 0;
            for (int at = inp.indexOf(SEPARATOR); at >= 0; at = inp.indexOf(SEPARATOR, from)) {
                texts.add(inp.substring(from, at));
                from = at + SEPARATOR.length();
            }
            if (texts.size() != outLines.size()) {
                throw new IllegalStateException(name + ": " + texts.size() + " strings but " + outLines.size()
                        + " expected lines");
            }
            List<Vector> vectors = new ArrayList<>();
            for (int i = 0; i < texts.size(); i++) {
                String line = outLines.get(i).strip();
                int[] ids = line.isEmpty() ? new int[0]
                        : Arrays.stream(line.split(" +")).mapToInt(Integer::parseInt).toArray();
                vectors.add(new Vector(i, texts.get(i), ids));
            }
            return vectors;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The cases of {@code stories260K-tokenizer.json}: text and ids with BOS. */
    static List<Vector> demoVectors() {
        String json;
        try {
            json = Files.readString(resource("stories260K-tokenizer.json"), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Matcher m = Pattern.compile("\"text\":\\s*\"((?:[^\"\\\\]|\\\\.)*)\",\\s*\"ids\":\\s*\\[([^\\]]*)]").matcher(json);
        List<Vector> cases = new ArrayList<>();
        while (m.find()) {
            int[] ids = Arrays.stream(m.group(2).split(",")).map(String::strip).mapToInt(Integer::parseInt).toArray();
            cases.add(new Vector(cases.size(), unescapeJson(m.group(1)), ids));
        }
        return cases;
    }

    /** A greedy run of the demo model: all ids (prompt with BOS, then output) and the text run.c printed. */
    record GreedyRun(int[] ids, String text) {}

    /** The four runs of {@code stories260K-greedy.json} (llama2.c run.c). */
    static List<GreedyRun> demoGreedyRuns() {
        String json;
        try {
            json = Files.readString(resource("stories260K-greedy.json"), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Matcher m = Pattern.compile("\"prompt_token_ids\":\\s*\\[([^\\]]*)].*?\"output_token_ids\":\\s*\\[([^\\]]*)]"
                + ".*?\"text\":\\s*\"((?:[^\"\\\\]|\\\\.)*)\"", Pattern.DOTALL).matcher(json);
        List<GreedyRun> runs = new ArrayList<>();
        while (m.find()) {
            int[] prompt = parseIds(m.group(1));
            int[] output = parseIds(m.group(2));
            int[] all = Arrays.copyOf(prompt, prompt.length + output.length);
            System.arraycopy(output, 0, all, prompt.length, output.length);
            runs.add(new GreedyRun(all, unescapeJson(m.group(3))));
        }
        return runs;
    }

    private static int[] parseIds(String list) {
        return Arrays.stream(list.split(",")).map(String::strip).filter(x -> !x.isEmpty())
                .mapToInt(Integer::parseInt).toArray();
    }

    private static String unescapeJson(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\\') {
                sb.append(c);
                continue;
            }
            char e = s.charAt(++i);
            switch (e) {
                case 'n' -> sb.append('\n');
                case 't' -> sb.append('\t');
                case 'r' -> sb.append('\r');
                case 'u' -> {
                    sb.append((char) Integer.parseInt(s.substring(i + 1, i + 5), 16));
                    i += 4;
                }
                default -> sb.append(e);
            }
        }
        return sb.toString();
    }

    static String escape(String s) {
        StringBuilder sb = new StringBuilder("\"");
        s.codePoints().forEach(cp -> {
            if (cp == '\n') {
                sb.append("\\n");
            } else if (cp == '\t') {
                sb.append("\\t");
            } else if (cp < 0x20) {
                sb.append(String.format("\\x%02x", cp));
            } else {
                sb.appendCodePoint(cp);
            }
        });
        return sb.append('"').toString();
    }
}
