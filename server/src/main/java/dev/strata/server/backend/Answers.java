package dev.strata.server.backend;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Assembles the {@code chat.completion} a stream of chunks amounts to, so routing can judge, shadow
 * and record a streamed answer like a whole one. Single-threaded, one per stream.
 */
public final class Answers {
    private final ObjectMapper json;
    private final List<StringBuilder> texts = new ArrayList<>();
    private final List<ArrayNode> logprobs = new ArrayList<>();
    private final List<String> finishReasons = new ArrayList<>();
    private String id = "chatcmpl-strata";
    private String model = "";
    private long created;
    private JsonNode usage;
    private int chunks;

    public Answers(ObjectMapper json) {
        this.json = json;
    }

    /** Folds one {@code chat.completion.chunk} in. */
    public void add(ObjectNode chunk) {
        chunks++;
        id = chunk.path("id").asText(id);
        model = chunk.path("model").asText(model);
        created = chunk.path("created").asLong(created);
        if (chunk.hasNonNull("usage")) {
            usage = chunk.get("usage");
        }
        for (JsonNode choice : chunk.path("choices")) {
            int index = choice.path("index").asInt(0);
            while (texts.size() <= index) {
                texts.add(new StringBuilder());
                logprobs.add(json.createArrayNode());
                finishReasons.add(null);
            }
            JsonNode content = choice.path("delta").path("content");
            if (content.isTextual()) {
                texts.get(index).append(content.asText());
            }
            for (JsonNode lp : choice.path("logprobs").path("content")) {
                logprobs.get(index).add(lp);
            }
            if (choice.path("finish_reason").isTextual()) {
                finishReasons.set(index, choice.get("finish_reason").asText());
            }
        }
    }

    public int chunks() {
        return chunks;
    }

    /** The whole answer so far. */
    public ObjectNode completion() {
        ObjectNode out = json.createObjectNode();
        out.put("id", id).put("object", "chat.completion").put("created", created).put("model", model);
        ArrayNode choices = out.putArray("choices");
        for (int i = 0; i < texts.size(); i++) {
            ObjectNode c = choices.addObject();
            c.put("index", i);
            c.putObject("message").put("role", "assistant").put("content", texts.get(i).toString());
            if (logprobs.get(i).isEmpty()) {
                c.putNull("logprobs");
            } else {
                c.putObject("logprobs").set("content", logprobs.get(i));
            }
            c.put("finish_reason", finishReasons.get(i));
        }
        if (usage != null) {
            out.set("usage", usage);
        }
        return out;
    }

    /** The text of choice 0 of a {@code chat.completion}, "" when absent. */
    public static String text(JsonNode completion) {
        return completion.path("choices").path(0).path("message").path("content").asText("");
    }

    /** Replays a whole {@code chat.completion} as the chunks a stream of it would have had. */
    public static List<ObjectNode> asChunks(ObjectNode completion, ObjectMapper json, boolean includeUsage) {
        List<ObjectNode> out = new ArrayList<>();
        for (JsonNode choice : completion.path("choices")) {
            int index = choice.path("index").asInt(0);
            ObjectNode role = chunk(completion, json, includeUsage);
            ObjectNode rc = role.putArray("choices").addObject().put("index", index);
            rc.putObject("delta").put("role", "assistant").put("content", "");
            rc.putNull("logprobs");
            rc.putNull("finish_reason");
            out.add(role);
            String text = choice.path("message").path("content").asText("");
            if (!text.isEmpty()) {
                ObjectNode content = chunk(completion, json, includeUsage);
                ObjectNode cc = content.putArray("choices").addObject().put("index", index);
                cc.putObject("delta").put("content", text);
                cc.set("logprobs", choice.path("logprobs").isObject() ? choice.get("logprobs") : null);
                cc.putNull("finish_reason");
                out.add(content);
            }
            ObjectNode finish = chunk(completion, json, includeUsage);
            ObjectNode fc = finish.putArray("choices").addObject().put("index", index);
            fc.putObject("delta");
            fc.putNull("logprobs");
            fc.set("finish_reason", choice.get("finish_reason"));
            out.add(finish);
        }
        if (includeUsage && completion.hasNonNull("usage")) {
            ObjectNode usage = chunk(completion, json, false);
            usage.putArray("choices");
            usage.set("usage", completion.get("usage"));
            out.add(usage);
        }
        return out;
    }

    private static ObjectNode chunk(ObjectNode completion, ObjectMapper json, boolean nullUsage) {
        ObjectNode c = json.createObjectNode();
        c.set("id", completion.get("id"));
        c.put("object", "chat.completion.chunk");
        c.set("created", completion.get("created"));
        c.set("model", completion.get("model"));
        if (nullUsage) {
            c.putNull("usage");
        }
        return c;
    }
}
