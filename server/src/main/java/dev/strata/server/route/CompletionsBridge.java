package dev.strata.server.route;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.server.GatewayException;

/**
 * Serves a routed legacy {@code POST /v1/completions}
 * (https://platform.openai.com/docs/api-reference/completions) through the chat routes: the prompt
 * becomes one user message, and the chat answer (whole or chunk by chunk) goes back as a
 * {@code text_completion}, its token logprobs in the completions layout. Backends, cascades, canaries
 * and shadows then treat it like any chat. The upstream applies its chat template to the prompt;
 * {@code echo}, {@code suffix}, {@code best_of > 1} and several prompts in one request are refused
 * with a 400 rather than answered differently from a completions endpoint.
 */
final class CompletionsBridge {
    private final ObjectMapper json;

    CompletionsBridge(ObjectMapper json) {
        this.json = json;
    }

    /** The chat request that asks what {@code completions} asks. */
    ObjectNode toChat(ObjectNode completions) {
        JsonNode prompt = completions.path("prompt");
        if (prompt.isArray()) {
            if (prompt.size() != 1 || !prompt.get(0).isTextual()) {
                throw new GatewayException.InvalidRequest("a routed /v1/completions takes one text prompt",
                        "prompt", "invalid_value");
            }
            prompt = prompt.get(0);
        }
        if (!prompt.isTextual()) {
            throw new GatewayException.InvalidRequest("prompt must be a string", "prompt", "invalid_value");
        }
        if (completions.path("echo").asBoolean(false)) {
            throw new GatewayException.InvalidRequest("echo is not supported on a routed model", "echo",
                    "unsupported_parameter");
        }
        if (completions.hasNonNull("suffix")) {
            throw new GatewayException.InvalidRequest("suffix is not supported on a routed model", "suffix",
                    "unsupported_parameter");
        }
        if (completions.path("best_of").asInt(1) > 1) {
            throw new GatewayException.InvalidRequest("best_of > 1 is not supported on a routed model", "best_of",
                    "unsupported_parameter");
        }
        ObjectNode chat = completions.deepCopy();
        chat.remove(java.util.List.of("prompt", "echo", "suffix", "best_of", "logprobs"));
        chat.putArray("messages").addObject().put("role", "user").put("content", prompt.asText());
        JsonNode logprobs = completions.path("logprobs");
        if (logprobs.isInt() || logprobs.isLong()) {
            chat.put("logprobs", true);
            if (logprobs.asInt() > 0) {
                chat.put("top_logprobs", logprobs.asInt());
            }
        }
        return chat;
    }

    /** A {@code chat.completion} as a {@code text_completion}. */
    ObjectNode answer(ObjectNode chat) {
        return reshape(chat, "text_completion", "message");
    }

    /** A {@code chat.completion.chunk} as a streamed {@code text_completion}. */
    ObjectNode chunk(ObjectNode chat) {
        return reshape(chat, "text_completion", "delta");
    }

    private ObjectNode reshape(ObjectNode chat, String object, String contentField) {
        ObjectNode out = json.createObjectNode();
        out.set("id", chat.get("id"));
        out.put("object", object);
        out.set("created", chat.get("created"));
        out.set("model", chat.get("model"));
        ArrayNode choices = out.putArray("choices");
        for (JsonNode c : chat.path("choices")) {
            ObjectNode choice = choices.addObject();
            choice.put("index", c.path("index").asInt());
            choice.put("text", c.path(contentField).path("content").asText(""));
            choice.set("logprobs", logprobs(c.path("logprobs").path("content")));
            choice.set("finish_reason", c.get("finish_reason"));
        }
        if (chat.has("usage")) {
            out.set("usage", chat.get("usage"));
        }
        return out;
    }

    /** Chat's {@code logprobs.content[]} as completions' {@code tokens}, {@code token_logprobs}, … */
    private JsonNode logprobs(JsonNode content) {
        if (!content.isArray() || content.isEmpty()) {
            return json.nullNode();
        }
        ObjectNode out = json.createObjectNode();
        ArrayNode tokens = out.putArray("tokens");
        ArrayNode logprobs = out.putArray("token_logprobs");
        ArrayNode top = out.putArray("top_logprobs");
        ArrayNode offsets = out.putArray("text_offset");
        int offset = 0;
        for (JsonNode t : content) {
            String token = t.path("token").asText();
            tokens.add(token);
            logprobs.add(t.path("logprob").asDouble());
            ObjectNode alternatives = top.addObject();
            for (JsonNode alt : t.path("top_logprobs")) {
                alternatives.put(alt.path("token").asText(), alt.path("logprob").asDouble());
            }
            offsets.add(offset);
            offset += token.length();
        }
        return out;
    }
}
