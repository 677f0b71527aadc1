package dev.strata.server.route;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What rules look at in a request.
 *
 * @param tenant       the tenant ({@code x-strata-tenant}), or {@code null}
 * @param user         the end user ({@code user} field or {@code x-strata-user}), or {@code null}
 * @param tags         the request's {@code metadata} strings
 * @param promptTokens an estimate: characters / 4, as OpenAI's rule of thumb (no tokenizer for upstream models)
 * @param text         all message text, for regex and keyword rules
 */
public record RequestFeatures(String model, String tenant, String user, Map<String, String> tags, int promptTokens,
        String text, boolean hasImages) {

    public RequestFeatures {
        tags = Map.copyOf(tags);
    }

    public static RequestFeatures of(ObjectNode body, String tenant, String userHeader) {
        StringBuilder text = new StringBuilder();
        boolean images = false;
        for (JsonNode m : body.path("messages")) {
            JsonNode content = m.path("content");
            if (content.isTextual()) {
                text.append(content.asText()).append('\n');
            } else {
                for (JsonNode part : content) {
                    String type = part.path("type").asText();
                    if (type.equals("text")) {
                        text.append(part.path("text").asText()).append('\n');
                    } else if (type.equals("image_url") || type.equals("image")) {
                        images = true;
                    }
                }
            }
        }
        Map<String, String> tags = new LinkedHashMap<>();
        body.path("metadata").properties().forEach(e -> tags.put(e.getKey(), e.getValue().asText()));
        String user = body.path("user").isTextual() ? body.get("user").asText() : userHeader;
        return new RequestFeatures(body.path("model").asText(""), tenant, user, tags, (text.length() + 3) / 4,
                text.toString(), images);
    }
}
