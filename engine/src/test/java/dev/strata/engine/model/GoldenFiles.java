package dev.strata.engine.model;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the golden JSON files under {@code src/test/resources/golden/} (see the PROVENANCE.md there)
 * with a minimal JSON parser: objects become maps, arrays lists, numbers doubles.
 */
public final class GoldenFiles {
    private GoldenFiles() {}

    /** One entry of {@code stories260K-greedy.json}. */
    public record Greedy(String prompt, int[] promptTokenIds, int[] outputTokenIds, String text) {}

    /**
     * One entry of {@code stories260K-logits-last-prompt-position.json}.
     *
     * @param q8Dequantized logits of the Q8_0 model with dequantized weights, float64 activations
     * @param q8LlamaCpp    logits of the Q8_0 model from llama.cpp itself (which rounds activations to Q8_0)
     */
    public record Logits(String prompt, int[] promptTokenIds, int argmax, float[] logits, float[] q8Dequantized,
            float[] q8LlamaCpp) {}

    /**
     * One run of {@code stories260K-q8_0-greedy-dequant-reference.json}; {@code reliableSteps} is the
     * first step whose top-2 margin is below 0.01 (or all steps).
     */
    public record Q8Greedy(String prompt, int[] promptTokenIds, int[] outputTokenIds, int reliableSteps) {}

    public static List<Q8Greedy> q8Greedy() {
        Map<?, ?> root = (Map<?, ?>) parse(read("stories260K-q8_0-greedy-dequant-reference.json"));
        List<Q8Greedy> out = new ArrayList<>();
        for (Object o : (List<?>) root.get("runs")) {
            Map<?, ?> m = (Map<?, ?>) o;
            int[] ids = ints(m.get("output_token_ids"));
            Object first = m.get("first_index_with_margin_below_0.01");
            out.add(new Q8Greedy((String) m.get("prompt"), ints(m.get("prompt_token_ids")), ids,
                    first == null ? ids.length : ((Double) first).intValue()));
        }
        return out;
    }

    public static List<Greedy> greedy() {
        List<Greedy> out = new ArrayList<>();
        for (Object o : (List<?>) parse(read("stories260K-greedy.json"))) {
            Map<?, ?> m = (Map<?, ?>) o;
            out.add(new Greedy((String) m.get("prompt"), ints(m.get("prompt_token_ids")), ints(m.get("output_token_ids")),
                    (String) m.get("text")));
        }
        return out;
    }

    public static List<Logits> logitsLastPromptPosition() {
        Map<?, ?> root = (Map<?, ?>) parse(read("stories260K-logits-last-prompt-position.json"));
        List<Logits> out = new ArrayList<>();
        for (Object o : (List<?>) root.get("entries")) {
            Map<?, ?> m = (Map<?, ?>) o;
            out.add(new Logits((String) m.get("prompt"), ints(m.get("prompt_token_ids")),
                    ((Double) m.get("argmax")).intValue(), floats(m.get("logits")), floats(m.get("logits_q8_0_model_dequantized")),
                    floats(m.get("logits_q8_0_model"))));
        }
        return out;
    }

    private static float[] floats(Object list) {
        List<?> values = (List<?>) list;
        float[] out = new float[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = ((Double) values.get(i)).floatValue();
        }
        return out;
    }

    private static int[] ints(Object list) {
        return ((List<?>) list).stream().mapToInt(v -> ((Double) v).intValue()).toArray();
    }

    private static String read(String name) {
        try (InputStream in = GoldenFiles.class.getResourceAsStream("/golden/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource golden/" + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Object parse(String json) {
        Parser p = new Parser(json);
        Object value = p.value();
        p.skipSpace();
        if (p.pos != json.length()) {
            throw new IllegalArgumentException("trailing characters at " + p.pos);
        }
        return value;
    }

    private static final class Parser {
        private final String s;
        private int pos;

        Parser(String s) {
            this.s = s;
        }

        void skipSpace() {
            while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) {
                pos++;
            }
        }

        Object value() {
            skipSpace();
            char c = s.charAt(pos);
            switch (c) {
                case '{': return object();
                case '[': return array();
                case '"': return string();
                case 't': pos += 4; return Boolean.TRUE;
                case 'f': pos += 5; return Boolean.FALSE;
                case 'n': pos += 4; return null;
                default: return number();
            }
        }

        private Map<String, Object> object() {
            Map<String, Object> m = new LinkedHashMap<>();
            pos++;
            skipSpace();
            if (s.charAt(pos) == '}') {
                pos++;
                return m;
            }
            while (true) {
                skipSpace();
                String key = string();
                skipSpace();
                pos++; // ':'
                m.put(key, value());
                skipSpace();
                if (s.charAt(pos++) == '}') {
                    return m;
                }
            }
        }

        private List<Object> array() {
            List<Object> list = new ArrayList<>();
            pos++;
            skipSpace();
            if (s.charAt(pos) == ']') {
                pos++;
                return list;
            }
            while (true) {
                list.add(value());
                skipSpace();
                if (s.charAt(pos++) == ']') {
                    return list;
                }
            }
        }

        private String string() {
            StringBuilder sb = new StringBuilder();
            pos++;
            while (true) {
                char c = s.charAt(pos++);
                if (c == '"') {
                    return sb.toString();
                }
                if (c != '\\') {
                    sb.append(c);
                    continue;
                }
                char e = s.charAt(pos++);
                switch (e) {
                    case 'n' -> sb.append('\n');
                    case 't' -> sb.append('\t');
                    case 'r' -> sb.append('\r');
                    case 'b' -> sb.append('\b');
                    case 'f' -> sb.append('\f');
                    case 'u' -> {
                        sb.append((char) Integer.parseInt(s.substring(pos, pos + 4), 16));
                        pos += 4;
                    }
                    default -> sb.append(e);
                }
            }
        }

        private Double number() {
            int start = pos;
            while (pos < s.length() && "+-0123456789.eE".indexOf(s.charAt(pos)) >= 0) {
                pos++;
            }
            return Double.parseDouble(s.substring(start, pos));
        }
    }
}
