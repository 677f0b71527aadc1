package dev.strata.engine.template;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.tree.Node;
import dev.strata.engine.EngineException;
import dev.strata.engine.gguf.GgufFile;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A model's chat template, compiled once and rendered for each conversation into the prompt text
 * the model was trained on. Templates are the Jinja2 source Hugging Face models ship as
 * {@code tokenizer.chat_template} (GGUF copies it verbatim); they are rendered with Jinjava,
 * bridged to Python jinja2's semantics with Hugging Face's settings ({@code trim_blocks},
 * {@code lstrip_blocks}, loop controls, {@code tojson} as {@code json.dumps(ensure_ascii=False)},
 * {@code raise_exception}, {@code strftime_now}). See {@code docs/chat-templates.md}.
 *
 * <p>A template that refuses a conversation ({@code raise_exception("roles must alternate")}) or
 * needs a variable nobody passed makes {@link #render} throw
 * {@link EngineException.InvalidRequest} carrying exactly the template's message. Instances are
 * immutable and safe to render from many threads at once.
 */
public final class ChatTemplate {

    private static final System.Logger LOG = System.getLogger(ChatTemplate.class.getName());

    /** GGUF metadata key of the template. */
    public static final String GGUF_TEMPLATE_KEY = "tokenizer.chat_template";

    /**
     * The fallback for a model whose file has no template: ChatML ({@code <|im_start|>role\n...
     * <|im_end|>\n}), Hugging Face's historical default; multi-part content renders its text
     * parts.
     */
    public static final String CHATML_FALLBACK = """
            {%- for message in messages -%}
            {{- '<|im_start|>' + message.role + '\\n' -}}
            {%- if message.content is string -%}{{- message.content -}}
            {%- elif message.content is iterable -%}
            {%- for part in message.content if part.type == 'text' -%}{{- part.text -}}{%- endfor -%}
            {%- endif -%}
            {{- '<|im_end|>\\n' -}}
            {%- endfor -%}
            {%- if add_generation_prompt -%}{{- '<|im_start|>assistant\\n' -}}{%- endif -%}
            """;

    private final String source;
    private final TemplateOptions options;
    private final boolean fallback;
    private final JinjaEngine engine;
    private final Node root;
    private final List<String> freeNames;

    private ChatTemplate(String source, TemplateOptions options, boolean fallback) {
        this.source = source;
        this.options = options;
        this.fallback = fallback;
        TemplateSource rewritten;
        try {
            rewritten = TemplateSource.rewrite(source);
        } catch (IllegalArgumentException e) {
            throw new EngineException.Unsupported("chat template does not parse: " + e.getMessage());
        }
        this.engine = new JinjaEngine(options.clock());
        try {
            this.root = engine.parse(rewritten.source());
        } catch (RuntimeException e) {
            throw new EngineException.Unsupported("chat template does not parse: " + e.getMessage());
        }
        this.freeNames = List.copyOf(rewritten.freeNames());
    }

    /**
     * Compiles {@code source}.
     *
     * @throws EngineException.Unsupported when the template does not parse
     */
    public static ChatTemplate compile(String source, TemplateOptions options) {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(options, "options");
        return new ChatTemplate(source, options, false);
    }

    /** The documented ChatML fallback ({@link #CHATML_FALLBACK}). */
    public static ChatTemplate chatMl(TemplateOptions options) {
        return new ChatTemplate(CHATML_FALLBACK, options, true);
    }

    /** The template of a model file, with its BOS/EOS strings, rendering times from the system clock. */
    public static ChatTemplate fromGguf(GgufFile file) {
        return fromGguf(file, Clock.systemDefaultZone());
    }

    /**
     * The template of a model file ({@value #GGUF_TEMPLATE_KEY}), with {@code bos_token} and
     * {@code eos_token} read from the vocabulary ({@link TemplateOptions#fromGguf}). A file without
     * a template gets the ChatML fallback and a logged warning; {@link #isFallback()} tells.
     *
     * @throws EngineException.InvalidModelFile when the file's template does not parse
     */
    public static ChatTemplate fromGguf(GgufFile file, Clock clock) {
        return ownFromGguf(file, clock).orElseGet(() -> {
            LOG.log(System.Logger.Level.WARNING, "{0} has no {1}; using the ChatML fallback",
                    file.path(), GGUF_TEMPLATE_KEY);
            return chatMl(TemplateOptions.fromGguf(file, clock));
        });
    }

    /**
     * The model file's own template, or empty when it has none, for callers that tell the user
     * about the fallback themselves (the {@code strata chat} command prints one line instead of a log
     * record).
     *
     * @throws EngineException.InvalidModelFile when the file's template does not parse
     */
    public static Optional<ChatTemplate> ownFromGguf(GgufFile file, Clock clock) {
        var template = file.getString(GGUF_TEMPLATE_KEY);
        if (template.isEmpty() || template.get().isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(compile(template.get(), TemplateOptions.fromGguf(file, clock)));
        } catch (EngineException.Unsupported e) {
            throw new EngineException.InvalidModelFile(file.path() + ": " + e.getMessage());
        }
    }

    /** The template's Jinja source as given. */
    public String source() {
        return source;
    }

    public TemplateOptions options() {
        return options;
    }

    /** True when the model had no template and this is the ChatML fallback. */
    public boolean isFallback() {
        return fallback;
    }

    /** Renders {@code messages} with no tools and no extra variables. */
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
        return render(ChatRequest.of(messages, addGenerationPrompt));
    }

    /**
     * Renders one conversation into prompt text.
     *
     * @throws EngineException.InvalidRequest when the template raises (the message is the
     *     template's own) or needs something the request lacks
     */
    public String render(ChatRequest request) {
        Map<String, Object> bindings = new HashMap<>();
        for (String name : freeNames) {
            bindings.put(name, PyUndefined.name(name));
        }
        bindings.put("bos_token", options.bosToken());
        bindings.put("eos_token", options.eosToken());
        if (!request.tools().isEmpty()) {
            bindings.put("tools", TemplateValues.copy(request.tools()));
        }
        request.extra().forEach((k, v) -> bindings.put(k, TemplateValues.copy(v)));
        bindings.put("messages", TemplateValues.messages(request.messages()));
        bindings.put("add_generation_prompt", request.addGenerationPrompt());
        return renderBindings(bindings);
    }

    /**
     * Renders with raw variables (JSON-like values, as a Python caller of
     * {@code apply_chat_template} would pass them); {@code bos_token} and {@code eos_token}
     * default to the options'.
     */
    public String renderVariables(Map<String, Object> variables) {
        Map<String, Object> bindings = new HashMap<>();
        for (String name : freeNames) {
            bindings.put(name, PyUndefined.name(name));
        }
        bindings.put("bos_token", options.bosToken());
        bindings.put("eos_token", options.eosToken());
        variables.forEach((k, v) -> bindings.put(k, TemplateValues.copy(v)));
        return renderBindings(bindings);
    }

    private String renderBindings(Map<String, Object> bindings) {
        JinjavaInterpreter interpreter = engine.newInterpreter(bindings);
        String output;
        try {
            output = interpreter.render(root, false);
        } catch (RuntimeException e) {
            TemplateRaise raise = raiseIn(e);
            if (raise != null) {
                throw new EngineException.InvalidRequest(raise.getMessage());
            }
            throw new EngineException.InvalidRequest("chat template failed: " + describe(e));
        }
        TemplateError firstFatal = null;
        for (TemplateError error : interpreter.getErrorsCopy()) {
            TemplateRaise raise = raiseIn(error.getException());
            if (raise != null) {
                throw new EngineException.InvalidRequest(raise.getMessage());
            }
            if (firstFatal == null && error.getSeverity() == TemplateError.ErrorType.FATAL) {
                firstFatal = error;
            }
        }
        if (firstFatal != null) {
            throw new EngineException.InvalidRequest("chat template failed at line " + firstFatal.getLineno() + ": "
                    + firstFatal.getMessage());
        }
        return output;
    }

    private static TemplateRaise raiseIn(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof TemplateRaise raise) {
                return raise;
            }
            if (c.getCause() == c) {
                break;
            }
        }
        return null;
    }

    private static String describe(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() != null ? root.getMessage() : root.getClass().getSimpleName();
    }

    @Override
    public String toString() {
        return "ChatTemplate[" + source.length() + " chars" + (fallback ? ", ChatML fallback" : "") + "]";
    }

    /** Converts the engine's records into the JSON-like maps and lists templates index into. */
    static final class TemplateValues {
        private TemplateValues() {}

        static List<Object> messages(List<ChatMessage> messages) {
            List<Object> out = new ArrayList<>(messages.size());
            for (ChatMessage m : messages) {
                out.add(message(m));
            }
            return out;
        }

        static Map<String, Object> message(ChatMessage m) {
            Map<String, Object> map = new LinkedHashMap<>();
            map.put("role", m.role());
            map.put("content", switch (m.content()) {
                case null -> null;
                case ChatMessage.MessageContent.Text t -> t.text();
                case ChatMessage.MessageContent.Parts p -> parts(p.parts());
            });
            if (m.name() != null) {
                map.put("name", m.name());
            }
            if (!m.toolCalls().isEmpty()) {
                List<Object> calls = new ArrayList<>();
                for (ChatMessage.ToolCall call : m.toolCalls()) {
                    Map<String, Object> function = new LinkedHashMap<>();
                    function.put("name", call.name());
                    function.put("arguments", arguments(call.arguments()));
                    Map<String, Object> c = new LinkedHashMap<>();
                    if (call.id() != null) {
                        c.put("id", call.id());
                    }
                    c.put("type", "function");
                    c.put("function", function);
                    calls.add(c);
                }
                map.put("tool_calls", calls);
            }
            if (m.toolCallId() != null) {
                map.put("tool_call_id", m.toolCallId());
            }
            m.extra().forEach((k, v) -> map.put(k, copy(v)));
            return map;
        }

        private static List<Object> parts(List<ChatMessage.ContentPart> parts) {
            List<Object> out = new ArrayList<>();
            for (ChatMessage.ContentPart part : parts) {
                Map<String, Object> p = new LinkedHashMap<>();
                switch (part) {
                    case ChatMessage.ContentPart.TextPart t -> {
                        p.put("type", "text");
                        p.put("text", t.text());
                    }
                    case ChatMessage.ContentPart.ImageUrl i -> {
                        p.put("type", "image_url");
                        p.put("image_url", new LinkedHashMap<>(Map.of("url", i.url())));
                    }
                    case ChatMessage.ContentPart.Other o -> {
                        p.put("type", o.type());
                        o.fields().forEach((k, v) -> p.put(k, copy(v)));
                    }
                }
                out.add(p);
            }
            return out;
        }

        /** Tool-call arguments as an object when they are a JSON object, else the text itself. */
        static Object arguments(String json) {
            try {
                Object parsed = PyJson.parse(json);
                return parsed instanceof Map<?, ?> ? parsed : json;
            } catch (IllegalArgumentException e) {
                return json;
            }
        }

        /** A mutable deep copy (templates may {@code append} to lists they are given). */
        static Object copy(Object value) {
            return switch (value) {
                case Map<?, ?> m -> {
                    Map<String, Object> out = new LinkedHashMap<>();
                    m.forEach((k, v) -> out.put(String.valueOf(k), copy(v)));
                    yield out;
                }
                case List<?> l -> {
                    List<Object> out = new ArrayList<>(l.size());
                    l.forEach(v -> out.add(copy(v)));
                    yield out;
                }
                case Integer i -> (long) i;
                case Float f -> (double) f;
                case null, default -> value;
            };
        }
    }
}
