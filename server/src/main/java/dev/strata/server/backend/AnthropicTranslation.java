package dev.strata.server.backend;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * OpenAI chat completions ⇄ Anthropic Messages (https://docs.anthropic.com/en/api/messages and
 * .../messages-streaming). Requests: system and developer messages become the top-level
 * {@code system}; text and image parts become content blocks; {@code stop} becomes
 * {@code stop_sequences}; {@code max_tokens} is required there, so a default fills it. Answers: text
 * blocks are joined, {@code tool_use} blocks become {@code tool_calls}, stop reasons and usage are
 * renamed. Streams: {@link StreamState} turns Anthropic's typed events into OpenAI chunks.
 */
final class AnthropicTranslation {
    static final int DEFAULT_MAX_TOKENS = 4096;

    private final ObjectMapper json;

    AnthropicTranslation(ObjectMapper json) {
        this.json = json;
    }

    ObjectNode request(ObjectNode openai, String model, boolean stream) {
        ObjectNode out = json.createObjectNode();
        out.put("model", model != null ? model : openai.path("model").asText());
        List<String> system = new ArrayList<>();
        ArrayNode messages = out.putArray("messages");
        for (JsonNode m : openai.path("messages")) {
            String role = m.path("role").asText();
            if (role.equals("system") || role.equals("developer")) {
                system.add(textOf(m.path("content")));
                continue;
            }
            ObjectNode message = messages.addObject();
            message.put("role", role.equals("assistant") ? "assistant" : "user");
            JsonNode content = m.path("content");
            if (role.equals("tool")) {
                ArrayNode blocks = message.putArray("content");
                blocks.addObject().put("type", "tool_result").put("tool_use_id", m.path("tool_call_id").asText())
                        .put("content", textOf(content));
            } else if (content.isArray()) {
                message.set("content", blocks(content));
            } else {
                message.put("content", content.asText(""));
            }
        }
        if (!system.isEmpty()) {
            out.put("system", String.join("\n\n", system));
        }
        int maxTokens = openai.path("max_completion_tokens").asInt(openai.path("max_tokens").asInt(DEFAULT_MAX_TOKENS));
        out.put("max_tokens", maxTokens);
        copy(openai, "temperature", out, "temperature");
        copy(openai, "top_p", out, "top_p");
        copy(openai, "top_k", out, "top_k");
        JsonNode stop = openai.path("stop");
        if (stop.isTextual()) {
            out.putArray("stop_sequences").add(stop.asText());
        } else if (stop.isArray()) {
            out.set("stop_sequences", stop);
        }
        if (openai.path("user").isTextual()) {
            out.putObject("metadata").put("user_id", openai.get("user").asText());
        }
        if (stream) {
            out.put("stream", true);
        }
        return out;
    }

    private ArrayNode blocks(JsonNode parts) {
        ArrayNode blocks = json.createArrayNode();
        for (JsonNode part : parts) {
            switch (part.path("type").asText()) {
                case "text" -> blocks.addObject().put("type", "text").put("text", part.path("text").asText());
                case "image_url" -> {
                    String url = part.path("image_url").path("url").asText();
                    ObjectNode image = blocks.addObject().put("type", "image");
                    ObjectNode source = image.putObject("source");
                    if (url.startsWith("data:") && url.contains(";base64,")) {
                        int semi = url.indexOf(';');
                        source.put("type", "base64").put("media_type", url.substring(5, semi))
                                .put("data", url.substring(url.indexOf(',') + 1));
                    } else {
                        source.put("type", "url").put("url", url);
                    }
                }
                default -> { } // audio, files: no Anthropic equivalent here
            }
        }
        return blocks;
    }

    private static String textOf(JsonNode content) {
        if (!content.isArray()) {
            return content.asText("");
        }
        StringBuilder sb = new StringBuilder();
        for (JsonNode part : content) {
            if (part.path("type").asText().equals("text")) {
                sb.append(part.path("text").asText());
            }
        }
        return sb.toString();
    }

    private static void copy(ObjectNode from, String key, ObjectNode to, String as) {
        if (from.hasNonNull(key)) {
            to.set(as, from.get(key));
        }
    }

    ObjectNode completion(JsonNode message, long created) {
        ObjectNode out = json.createObjectNode();
        out.put("id", message.path("id").asText("msg")).put("object", "chat.completion").put("created", created)
                .put("model", message.path("model").asText());
        ObjectNode choice = out.putArray("choices").addObject().put("index", 0);
        ObjectNode msg = choice.putObject("message").put("role", "assistant");
        StringBuilder text = new StringBuilder();
        ArrayNode toolCalls = json.createArrayNode();
        for (JsonNode block : message.path("content")) {
            switch (block.path("type").asText()) {
                case "text" -> text.append(block.path("text").asText());
                case "tool_use" -> {
                    ObjectNode call = toolCalls.addObject().put("id", block.path("id").asText()).put("type", "function");
                    call.putObject("function").put("name", block.path("name").asText())
                            .put("arguments", block.path("input").toString());
                }
                default -> { } // thinking blocks are not part of OpenAI's answer
            }
        }
        msg.put("content", text.toString());
        if (!toolCalls.isEmpty()) {
            msg.set("tool_calls", toolCalls);
        }
        choice.putNull("logprobs");
        choice.put("finish_reason", finishReason(message.path("stop_reason").asText(null)));
        out.set("usage", usage(message.path("usage").path("input_tokens").asInt()
                + message.path("usage").path("cache_read_input_tokens").asInt()
                + message.path("usage").path("cache_creation_input_tokens").asInt(),
                message.path("usage").path("output_tokens").asInt()));
        return out;
    }

    static String finishReason(String stopReason) {
        if (stopReason == null) {
            return null;
        }
        return switch (stopReason) {
            case "max_tokens", "model_context_window_exceeded" -> "length";
            case "tool_use" -> "tool_calls";
            case "refusal" -> "content_filter";
            default -> "stop"; // end_turn, stop_sequence, pause_turn
        };
    }

    ObjectNode usage(int input, int output) {
        return json.createObjectNode().put("prompt_tokens", input).put("completion_tokens", output)
                .put("total_tokens", input + output);
    }

    /** The state of one translated stream: Anthropic events in, OpenAI chunks out. */
    final class StreamState {
        private final long created;
        private final boolean includeUsage;
        private String id = "msg";
        private String model = "";
        private int inputTokens;
        private int outputTokens;
        private boolean stopped;

        StreamState(long created, boolean includeUsage) {
            this.created = created;
            this.includeUsage = includeUsage;
        }

        /** The chunks {@code event} amounts to (often none). */
        List<ObjectNode> translate(String type, JsonNode data) {
            List<ObjectNode> out = new ArrayList<>();
            switch (type) {
                case "message_start" -> {
                    JsonNode m = data.path("message");
                    id = m.path("id").asText(id);
                    model = m.path("model").asText(model);
                    inputTokens = m.path("usage").path("input_tokens").asInt()
                            + m.path("usage").path("cache_read_input_tokens").asInt()
                            + m.path("usage").path("cache_creation_input_tokens").asInt();
                    outputTokens = m.path("usage").path("output_tokens").asInt();
                    ObjectNode c = chunk();
                    c.putArray("choices").addObject().put("index", 0).putNull("logprobs").putNull("finish_reason")
                            .putObject("delta").put("role", "assistant").put("content", "");
                    out.add(c);
                }
                case "content_block_delta" -> {
                    JsonNode delta = data.path("delta");
                    if (delta.path("type").asText().equals("text_delta")) {
                        ObjectNode c = chunk();
                        c.putArray("choices").addObject().put("index", 0).putNull("logprobs").putNull("finish_reason")
                                .putObject("delta").put("content", delta.path("text").asText());
                        out.add(c);
                    }
                }
                case "message_delta" -> {
                    outputTokens = Math.max(outputTokens, data.path("usage").path("output_tokens").asInt());
                    String reason = finishReason(data.path("delta").path("stop_reason").asText(null));
                    if (reason != null) {
                        ObjectNode c = chunk();
                        ObjectNode choice = c.putArray("choices").addObject().put("index", 0);
                        choice.putObject("delta");
                        choice.putNull("logprobs");
                        choice.put("finish_reason", reason);
                        out.add(c);
                    }
                }
                case "message_stop" -> {
                    stopped = true;
                    if (includeUsage) {
                        ObjectNode c = chunk();
                        c.putArray("choices");
                        c.set("usage", usage(inputTokens, outputTokens));
                        out.add(c);
                    }
                }
                default -> { } // ping, content_block_start/stop
            }
            return out;
        }

        boolean stopped() {
            return stopped;
        }

        private ObjectNode chunk() {
            ObjectNode c = json.createObjectNode();
            c.put("id", id).put("object", "chat.completion.chunk").put("created", created).put("model", model);
            if (includeUsage) {
                c.putNull("usage");
            }
            return c;
        }
    }
}
