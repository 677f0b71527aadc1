package dev.strata.server.route;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.server.backend.Backend;
import dev.strata.server.backend.BackendResult;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A classifier rule's model call: asks a small model (any gateway backend: a local model, an
 * upstream, a pool) to label the request — its instruction as the system message, the request's text
 * as the user message, greedy ({@code temperature: 0}), a few tokens — and reads the first word of
 * the answer as the label. Labels are cached by the SHA-256 of the text (bounded, least recently
 * used first out), so a repeated prompt costs one model call. A failed call or an answer that is
 * none of the labels gives {@code null}: the rule does not match.
 */
final class Classifier {
    static final int CACHE_ENTRIES = 10_000;

    private final RoutesConfig.ClassifierSpec spec;
    private final Backend model;
    private final ObjectMapper json;
    private final Map<String, String> cache = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
            return size() > CACHE_ENTRIES;
        }
    };

    Classifier(RoutesConfig.ClassifierSpec spec, Backend model, ObjectMapper json) {
        this.spec = spec;
        this.model = model;
        this.json = json;
    }

    /** The label of {@code text}, or {@code null} when the model gave none of the configured labels. */
    String label(String text) {
        String key = sha256(text);
        synchronized (cache) {
            String cached = cache.get(key);
            if (cached != null) {
                return cached;
            }
        }
        ObjectNode request = json.createObjectNode();
        request.put("model", model.name()).put("temperature", 0).put("max_tokens", spec.maxTokens())
                .put("stream", false);
        var messages = request.putArray("messages");
        messages.addObject().put("role", "system").put("content", spec.prompt());
        messages.addObject().put("role", "user").put("content", text);
        if (!(model.complete(request) instanceof BackendResult.Answered a)) {
            return null; // not cached: the next request asks again
        }
        String label = parse(a.body().path("choices").path(0).path("message").path("content").asText(""));
        if (label != null) {
            synchronized (cache) {
                cache.put(key, label);
            }
        }
        return label;
    }

    /** The configured label the answer starts with (case and punctuation ignored), or {@code null}. */
    String parse(String answer) {
        String word = answer.strip().toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}_-]+", 2)[0];
        if (word.isEmpty()) {
            String[] words = answer.strip().toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}_-]+");
            word = words.length > 1 ? words[1] : "";
        }
        for (String label : spec.labels().keySet()) {
            if (label.toLowerCase(Locale.ROOT).equals(word)) {
                return label;
            }
        }
        return null;
    }

    /** The route for {@code label}. */
    String routeOf(String label) {
        return spec.labels().get(label);
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always present", e);
        }
    }
}
