package dev.strata.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.server.GatewayException.InvalidRequest;
import dev.strata.server.chat.ChatMessage;
import dev.strata.server.inference.InferenceCall;
import dev.strata.server.inference.Prompt;
import dev.strata.server.inference.SamplingOverrides;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns the JSON of {@code /v1/chat/completions}, {@code /v1/completions} and {@code /v1/generate}
 * into {@link ApiRequest}s. Types and ranges follow OpenAI's API reference; the engine extras
 * ({@code top_k}, {@code min_p}, {@code repetition_penalty}, {@code priority}, {@code ignore_eos})
 * follow vLLM's extra-body parameters. Unknown fields are ignored, as SDKs send fields a server may
 * not know.
 */
final class CallParser {
    private static final Set<String> ROLES = Set.of("system", "developer", "user", "assistant", "tool");
    private static final int MAX_STOP = 4;
    private static final int MAX_TOP_LOGPROBS = 20;
    private static final int COMPLETIONS_DEFAULT_MAX_TOKENS = 16;

    private final int maxN;

    CallParser(int maxN) {
        this.maxN = maxN;
    }

    ApiRequest chat(JsonNode body) {
        Fields f = fieldsOf(body);
        String model = f.requiredString("model");
        Prompt prompt = new Prompt.Chat(messages(f));
        Integer maxTokens = f.integer("max_completion_tokens", 1, Integer.MAX_VALUE);
        if (maxTokens == null) {
            maxTokens = f.integer("max_tokens", 1, Integer.MAX_VALUE);
        }
        boolean logprobs = f.bool("logprobs", false);
        Integer top = f.integer("top_logprobs", 0, MAX_TOP_LOGPROBS);
        if (top != null && !logprobs) {
            throw f.invalid("top_logprobs", "requires 'logprobs' to be true.");
        }
        int topLogprobs = logprobs ? (top == null ? 0 : top) : -1;
        return finish(f, model, prompt, maxTokens, topLogprobs, logprobs);
    }

    ApiRequest completion(JsonNode body) {
        Fields f = fieldsOf(body);
        String model = f.requiredString("model");
        Prompt prompt = completionPrompt(f);
        Integer maxTokens = f.integer("max_tokens", 1, Integer.MAX_VALUE);
        if (!f.has("max_tokens")) {
            maxTokens = COMPLETIONS_DEFAULT_MAX_TOKENS;
        }
        if (f.bool("echo", false)) {
            throw f.invalid("echo", "echo is not supported.");
        }
        if (f.string("suffix") != null) {
            throw f.invalid("suffix", "suffix is not supported.");
        }
        Integer logprobs = f.integer("logprobs", 0, MAX_TOP_LOGPROBS);
        return finish(f, model, prompt, maxTokens, logprobs == null ? -1 : logprobs, logprobs != null);
    }

    /** The native endpoint: {@code prompt} is one string; {@code model} may be left out when one is served. */
    ApiRequest generate(JsonNode body, String defaultModel) {
        Fields f = fieldsOf(body);
        String model = f.has("model") ? f.requiredString("model") : defaultModel;
        Prompt prompt = new Prompt.Texts(List.of(f.requiredString("prompt")));
        Integer maxTokens = f.integer("max_tokens", 1, Integer.MAX_VALUE);
        return finish(f, model, prompt, maxTokens, -1, false);
    }

    private ApiRequest finish(Fields f, String model, Prompt prompt, Integer maxTokens, int topLogprobs,
            boolean logprobs) {
        int n = f.has("n") ? f.integer("n", 1, maxN) : 1;
        if (f.has("best_of") && f.integer("best_of", 1, maxN) != n) {
            throw f.invalid("best_of", "only best_of == n is supported.");
        }
        SamplingOverrides sampling = new SamplingOverrides(
                f.number("temperature", 0, 2, false),
                f.number("top_p", 0, 1, true),
                topK(f),
                f.number("min_p", 0, 1, false),
                f.number("repetition_penalty", 0, 10, true),
                f.number("frequency_penalty", -2, 2, false),
                f.number("presence_penalty", -2, 2, false),
                logitBias(f),
                f.longInteger("seed"));
        f.string("user");
        boolean stream = f.bool("stream", false);
        boolean includeUsage = false;
        if (f.has("stream_options")) {
            JsonNode options = f.raw("stream_options");
            if (!options.isObject()) {
                throw f.wrongType("stream_options", "an object", options);
            }
            includeUsage = new Fields(options, "stream_options.").bool("include_usage", false);
        }
        Integer priority = f.integer("priority", Integer.MIN_VALUE, Integer.MAX_VALUE);
        InferenceCall call = new InferenceCall(model, prompt, maxTokens, sampling, n, stop(f), topLogprobs,
                f.bool("ignore_eos", false), priority == null ? 0 : priority);
        return new ApiRequest(call, stream, stream && includeUsage, logprobs);
    }

    private static Fields fieldsOf(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw new InvalidRequest("The request body must be a JSON object.", null, "invalid_type");
        }
        return new Fields(body, "");
    }

    /** vLLM semantics: -1 or 0 disables top-k. */
    private static Integer topK(Fields f) {
        Integer k = f.integer("top_k", -1, Integer.MAX_VALUE);
        return k == null ? null : Math.max(k, 0);
    }

    private static List<ChatMessage> messages(Fields f) {
        JsonNode array = f.raw("messages");
        if (array == null || array.isNull()) {
            throw f.missing("messages");
        }
        if (!array.isArray()) {
            throw f.wrongType("messages", "an array", array);
        }
        if (array.isEmpty()) {
            throw f.invalid("messages", "must contain at least one message.");
        }
        List<ChatMessage> out = new ArrayList<>(array.size());
        for (int i = 0; i < array.size(); i++) {
            JsonNode m = array.get(i);
            String at = "messages[" + i + "]";
            if (!m.isObject()) {
                throw f.wrongType(at, "an object", m);
            }
            Fields mf = new Fields(m, at + ".");
            String role = mf.requiredString("role");
            if (!ROLES.contains(role)) {
                throw mf.invalid("role", "must be one of " + String.join(", ", ROLES.stream().sorted().toList())
                        + ", got '" + role + "'.");
            }
            out.add(new ChatMessage(role, content(mf)));
        }
        return out;
    }

    /** {@code content} is a string, an array of parts of which the text parts are used, or null. */
    private static String content(Fields mf) {
        JsonNode c = mf.raw("content");
        if (c == null || c.isNull()) {
            return "";
        }
        if (c.isTextual()) {
            return c.textValue();
        }
        if (!c.isArray()) {
            throw mf.wrongType("content", "a string or an array of content parts", c);
        }
        StringBuilder sb = new StringBuilder();
        for (int j = 0; j < c.size(); j++) {
            Fields part = new Fields(c.get(j), mf.prefixOf("content[" + j + "]"));
            if (!c.get(j).isObject()) {
                throw mf.wrongType("content[" + j + "]", "an object", c.get(j));
            }
            String type = part.requiredString("type");
            if (!type.equals("text")) {
                throw part.invalid("type", "only 'text' content parts are supported, got '" + type + "'.");
            }
            sb.append(part.requiredString("text"));
        }
        return sb.toString();
    }

    private static Prompt completionPrompt(Fields f) {
        JsonNode p = f.raw("prompt");
        if (p == null || p.isNull()) {
            throw f.missing("prompt");
        }
        if (p.isTextual()) {
            return new Prompt.Texts(List.of(p.textValue()));
        }
        if (!p.isArray() || p.isEmpty()) {
            throw f.wrongType("prompt", "a string, an array of strings or an array of token ids", p);
        }
        if (p.get(0).isTextual()) {
            List<String> texts = new ArrayList<>();
            p.forEach(e -> {
                if (!e.isTextual()) {
                    throw f.wrongType("prompt", "an array of strings", e);
                }
                texts.add(e.textValue());
            });
            return new Prompt.Texts(texts);
        }
        if (p.get(0).isArray()) {
            List<int[]> prompts = new ArrayList<>();
            p.forEach(e -> prompts.add(tokenIds(f, e)));
            return new Prompt.Tokens(prompts);
        }
        return new Prompt.Tokens(List.of(tokenIds(f, p)));
    }

    private static int[] tokenIds(Fields f, JsonNode array) {
        if (!array.isArray() || array.isEmpty()) {
            throw f.wrongType("prompt", "a non-empty array of token ids", array);
        }
        int[] ids = new int[array.size()];
        for (int i = 0; i < ids.length; i++) {
            JsonNode e = array.get(i);
            if (!e.isIntegralNumber() || !e.canConvertToInt()) {
                throw f.wrongType("prompt", "an array of token ids", e);
            }
            ids[i] = e.intValue();
        }
        return ids;
    }

    private static List<String> stop(Fields f) {
        JsonNode s = f.raw("stop");
        if (s == null || s.isNull()) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        if (s.isTextual()) {
            out.add(s.textValue());
        } else if (s.isArray()) {
            s.forEach(e -> {
                if (!e.isTextual()) {
                    throw f.wrongType("stop", "a string or an array of strings", e);
                }
                out.add(e.textValue());
            });
        } else {
            throw f.wrongType("stop", "a string or an array of strings", s);
        }
        if (out.size() > MAX_STOP) {
            throw f.invalid("stop", "at most " + MAX_STOP + " stop sequences are allowed.");
        }
        if (out.stream().anyMatch(String::isEmpty)) {
            throw f.invalid("stop", "stop sequences must not be empty.");
        }
        return out;
    }

    private static Map<Integer, Float> logitBias(Fields f) {
        JsonNode b = f.raw("logit_bias");
        if (b == null || b.isNull()) {
            return Map.of();
        }
        if (!b.isObject()) {
            throw f.wrongType("logit_bias", "an object mapping token ids to numbers", b);
        }
        Map<Integer, Float> out = new HashMap<>();
        for (Map.Entry<String, JsonNode> e : b.properties()) {
            int id;
            try {
                id = Integer.parseInt(e.getKey());
            } catch (NumberFormatException ex) {
                throw f.invalid("logit_bias", "keys must be token ids, got '" + e.getKey() + "'.");
            }
            JsonNode v = e.getValue();
            if (!v.isNumber() || v.doubleValue() < -100 || v.doubleValue() > 100) {
                throw f.invalid("logit_bias", "values must be numbers in [-100, 100], got " + v + ".");
            }
            out.put(id, v.floatValue());
        }
        return out;
    }
}
