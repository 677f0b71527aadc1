package dev.strata.engine.template;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One message of a conversation as a chat template sees it (OpenAI's shape, which is also Hugging
 * Face's): a role, content as plain text or a list of parts (or none, for an assistant turn that
 * only calls tools), an optional name, the tool calls an assistant made, and for a tool result
 * the id of the call it answers. {@code extra} carries fields some templates read that the API
 * has no name for (e.g. {@code reasoning_content}).
 */
public record ChatMessage(String role, MessageContent content, String name, List<ToolCall> toolCalls,
                          String toolCallId, Map<String, Object> extra) {

    public ChatMessage {
        Objects.requireNonNull(role, "role");
        if (role.isBlank()) {
            throw new IllegalArgumentException("role must not be blank");
        }
        toolCalls = toolCalls == null ? List.of() : List.copyOf(toolCalls);
        extra = extra == null ? Map.of() : Map.copyOf(extra);
    }

    /** A message with plain-text content ({@code text} null: no content, as OpenAI allows for tool calls). */
    public static ChatMessage of(String role, String text) {
        return new ChatMessage(role, text == null ? null : new MessageContent.Text(text), null, List.of(), null,
                Map.of());
    }

    public static ChatMessage system(String text) {
        return of("system", text);
    }

    public static ChatMessage user(String text) {
        return of("user", text);
    }

    public static ChatMessage assistant(String text) {
        return of("assistant", text);
    }

    /** An assistant turn that calls tools (content may be null). */
    public static ChatMessage assistantToolCalls(String text, List<ToolCall> calls) {
        return new ChatMessage("assistant", text == null ? null : new MessageContent.Text(text), null, calls, null,
                Map.of());
    }

    /** The result of tool call {@code toolCallId}. */
    public static ChatMessage tool(String toolCallId, String name, String text) {
        return new ChatMessage("tool", new MessageContent.Text(text), name, List.of(), toolCallId, Map.of());
    }

    /** A message's content: one string, or parts (text, images...) in order. */
    public sealed interface MessageContent {
        record Text(String text) implements MessageContent {
            public Text {
                Objects.requireNonNull(text, "text");
            }
        }

        record Parts(List<ContentPart> parts) implements MessageContent {
            public Parts {
                parts = List.copyOf(parts);
            }
        }
    }

    /** One part of a multi-part content. */
    public sealed interface ContentPart {
        /** {@code {"type": "text", "text": ...}} */
        record TextPart(String text) implements ContentPart {
            public TextPart {
                Objects.requireNonNull(text, "text");
            }
        }

        /** {@code {"type": "image_url", "image_url": {"url": ...}}} */
        record ImageUrl(String url) implements ContentPart {
            public ImageUrl {
                Objects.requireNonNull(url, "url");
            }
        }

        /** Any other part, passed to the template as given. */
        record Other(String type, Map<String, Object> fields) implements ContentPart {
            public Other {
                Objects.requireNonNull(type, "type");
                fields = fields == null ? Map.of() : Map.copyOf(fields);
            }
        }
    }

    /**
     * A call to function {@code name} with {@code arguments}, the JSON text the model produced
     * (OpenAI's form). Templates receive the arguments parsed into an object when they are a JSON
     * object (what Hugging Face templates expect for {@code arguments|tojson}), else the raw text.
     */
    public record ToolCall(String id, String name, String arguments) {
        public ToolCall {
            Objects.requireNonNull(name, "name");
            arguments = arguments == null ? "{}" : arguments;
        }
    }
}
