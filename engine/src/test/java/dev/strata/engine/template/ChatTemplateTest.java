package dev.strata.engine.template;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.engine.EngineException;
import dev.strata.engine.gguf.GgufFile;
import dev.strata.engine.gguf.GgufValueType;
import dev.strata.engine.gguf.GgufWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChatTemplateTest {

    @TempDir
    Path dir;

    private static final TemplateOptions OPTIONS = new TemplateOptions("<s>", "</s>", TemplateCorpus.FIXED_CLOCK);

    private static String render(String template, ChatRequest request) {
        return ChatTemplate.compile(template, OPTIONS).render(request);
    }

    @Test
    void rendersMessagesWithHuggingFaceWhitespaceRules() {
        String template = """
                {% for m in messages %}
                    <{{ m.role }}>{{ m.content | trim }}
                {% endfor %}
                {% if add_generation_prompt %}<assistant>{% endif %}
                """;
        String out = render(template, ChatRequest.of(List.of(ChatMessage.user("  hi  "), ChatMessage.assistant("yo")), true));
        assertThat(out).isEqualTo("    <user>hi\n    <assistant>yo\n<assistant>"); // as Python jinja2 3.1.6 renders it
    }

    @Test
    void raiseExceptionBecomesInvalidRequestWithTheTemplatesMessage() {
        String template = "{% if messages[0].role == 'system' %}{{ raise_exception('System role not supported') }}{% endif %}";
        assertThatThrownBy(() -> render(template, ChatRequest.of(List.of(ChatMessage.system("x")), true)))
                .isInstanceOf(EngineException.InvalidRequest.class)
                .hasMessage("System role not supported");
    }

    @Test
    void undefinedVariableUsedInAnExpressionIsAnInvalidRequest() {
        assertThatThrownBy(() -> render("{{ 'a' + functions }}", ChatRequest.of(List.of(), false)))
                .isInstanceOf(EngineException.InvalidRequest.class)
                .hasMessage("'functions' is undefined");
        assertThat(render("[{{ functions }}]{{ functions is defined }}", ChatRequest.of(List.of(), false)))
                .isEqualTo("[]False");
    }

    @Test
    void messageTextIsNeverInterpretedAsTemplate() {
        String out = render("{{ messages[0].content }}",
                ChatRequest.of(List.of(ChatMessage.user("{{ raise_exception('x') }}{% if 1 %}y{% endif %}")), false));
        assertThat(out).isEqualTo("{{ raise_exception('x') }}{% if 1 %}y{% endif %}");
    }

    @Test
    void generationBlocksRenderTheirBody() {
        assertThat(render("{% generation %}{{ messages[0].content }}{% endgeneration %}",
                ChatRequest.of(List.of(ChatMessage.assistant("a")), false))).isEqualTo("a");
    }

    @Test
    void theWordFalseIsTrueLikeAnyNonEmptyString() {
        String out = render("{% if messages[0].content %}kept:{{ messages[0].content }}{% endif %}",
                ChatRequest.of(List.of(ChatMessage.user("false")), false));
        assertThat(out).isEqualTo("kept:false");
    }

    @Test
    void toolCallsReachTheTemplateInHuggingFaceShape() {
        String template = """
                {%- for m in messages -%}
                {%- if m.tool_calls -%}{%- for c in m.tool_calls -%}
                {{ c.id }}:{{ c.function.name }}:{{ c.function.arguments | tojson }}:{{ c.function.arguments.city }}|
                {%- endfor -%}{%- elif m.role == 'tool' -%}{{ m.tool_call_id }}={{ m.content }}|{%- endif -%}
                {%- endfor -%}
                {{ tools | tojson }}|{{ m is defined }}""";
        var call = new ChatMessage.ToolCall("call_1", "get_weather", "{\"city\": \"Paris\", \"n\": 2}");
        var request = new ChatRequest(List.of(ChatMessage.user("weather?"),
                ChatMessage.assistantToolCalls(null, List.of(call)),
                ChatMessage.tool("call_1", "get_weather", "21C")),
                List.of(Map.of("type", "function")), false, Map.of());
        assertThat(render(template, request)).isEqualTo(
                "call_1:get_weather:{\"city\": \"Paris\", \"n\": 2}:Paris|call_1=21C|[{\"type\": \"function\"}]|False");
    }

    @Test
    void toolCallArgumentsThatAreNotAJsonObjectStayText() {
        var call = new ChatMessage.ToolCall("c", "f", "not json");
        String out = render("{{ messages[0].tool_calls[0].function.arguments }}",
                ChatRequest.of(List.of(ChatMessage.assistantToolCalls("", List.of(call))), false));
        assertThat(out).isEqualTo("not json");
    }

    @Test
    void multiPartContentIsAListOfParts() {
        var content = new ChatMessage.MessageContent.Parts(List.of(new ChatMessage.ContentPart.TextPart("a"),
                new ChatMessage.ContentPart.ImageUrl("http://x/y.png"), new ChatMessage.ContentPart.TextPart("b")));
        var message = new ChatMessage("user", content, null, List.of(), null, Map.of());
        String template = "{% for p in messages[0].content %}{{ p.type }}{% if p.type == 'text' %}={{ p.text }}{% endif %};{% endfor %}";
        assertThat(render(template, ChatRequest.of(List.of(message), false)))
                .isEqualTo("text=a;image_url;text=b;");
    }

    @Test
    void extraVariablesAndMessageFieldsAreVisible() {
        var message = new ChatMessage("assistant", new ChatMessage.MessageContent.Text("ok"), null, List.of(), null,
                Map.of("reasoning_content", "because"));
        String out = render("{{ enable_thinking }}/{{ messages[0].reasoning_content }}",
                new ChatRequest(List.of(message), List.of(), false, Map.of("enable_thinking", false)));
        assertThat(out).isEqualTo("False/because");
    }

    @Test
    void strftimeNowReadsTheInjectedClock() {
        assertThat(render("{{ strftime_now('%d %b %Y') }}|{{ strftime_now('%-d %B %Y, %A %H:%M') }}",
                ChatRequest.of(List.of(), false))).isEqualTo("26 Jul 2024|26 July 2024, Friday 00:00");
    }

    @Test
    void aTemplateThatDoesNotParseIsUnsupported() {
        assertThatThrownBy(() -> ChatTemplate.compile("{% for x in %}", OPTIONS))
                .isInstanceOf(EngineException.Unsupported.class);
        assertThatThrownBy(() -> ChatTemplate.compile("{{ unclosed", OPTIONS))
                .isInstanceOf(EngineException.Unsupported.class);
    }

    @Test
    void fromGgufReadsTheTemplateAndBosEosStrings() {
        Path file = dir.resolve("m.gguf");
        new GgufWriter()
                .putString("general.architecture", "llama")
                .putString(ChatTemplate.GGUF_TEMPLATE_KEY, "{{ bos_token }}{{ messages[0].content }}{{ eos_token }}")
                .putArray("tokenizer.ggml.tokens", GgufValueType.STRING, new String[] {"<unk>", "<|begin|>", "<|end|>"})
                .putUInt32("tokenizer.ggml.bos_token_id", 1)
                .putUInt32("tokenizer.ggml.eos_token_id", 2)
                .write(file);
        try (GgufFile gguf = GgufFile.open(file)) {
            ChatTemplate t = ChatTemplate.fromGguf(gguf, TemplateCorpus.FIXED_CLOCK);
            assertThat(t.isFallback()).isFalse();
            assertThat(t.options().bosToken()).isEqualTo("<|begin|>");
            assertThat(t.render(List.of(ChatMessage.user("hi")), false)).isEqualTo("<|begin|>hi<|end|>");
            assertThat(ChatTemplate.ownFromGguf(gguf, TemplateCorpus.FIXED_CLOCK)).get()
                    .extracting(ChatTemplate::source).isEqualTo(t.source());
            assertThat(TemplateOptions.fromGguf(gguf, TemplateCorpus.FIXED_CLOCK).eosToken()).isEqualTo("<|end|>");
        }
    }

    @Test
    void aModelWithoutTemplateGetsTheChatMlFallback() {
        Path file = dir.resolve("bare.gguf");
        new GgufWriter().putString("general.architecture", "llama").write(file);
        try (GgufFile gguf = GgufFile.open(file)) {
            ChatTemplate t = ChatTemplate.fromGguf(gguf);
            assertThat(t.isFallback()).isTrue();
            assertThat(t.options().bosToken()).isEmpty();
            assertThat(ChatTemplate.ownFromGguf(gguf, TemplateCorpus.FIXED_CLOCK)).isEmpty();
            var parts = new ChatMessage.MessageContent.Parts(List.of(new ChatMessage.ContentPart.TextPart("a"),
                    new ChatMessage.ContentPart.TextPart("b")));
            assertThat(t.render(List.of(ChatMessage.system("S"), new ChatMessage("user", parts, null, null, null, null)),
                    true)).isEqualTo("<|im_start|>system\nS<|im_end|>\n<|im_start|>user\nab<|im_end|>\n<|im_start|>assistant\n");
        }
    }

    @Test
    void oneCompiledTemplateRendersFromManyThreads() throws Exception {
        String template = TemplateCorpus.read(TemplateCorpus.root().resolve("Qwen-Qwen3-0.6B.jinja"));
        ChatTemplate t = ChatTemplate.compile(template, OPTIONS);
        String expected = t.render(List.of(ChatMessage.user("hello")), true);
        try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
            List<Future<String>> results = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                results.add(pool.submit(() -> t.render(List.of(ChatMessage.user("hello")), true)));
            }
            for (Future<String> r : results) {
                assertThat(r.get()).isEqualTo(expected);
            }
        }
    }

    @Test
    void recordsValidateWhenBuilt() {
        assertThatThrownBy(() -> ChatMessage.of(" ", "x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TemplateOptions(null, "", TemplateCorpus.FIXED_CLOCK))
                .isInstanceOf(NullPointerException.class);
    }
}
