package dev.strata.server.backend;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AnthropicTranslationTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final AnthropicTranslation t = new AnthropicTranslation(JSON);

    @Test
    void requestMovesSystemOutAndTranslatesParts() throws Exception {
        ObjectNode openai = (ObjectNode) JSON.readTree("""
                {"model":"m","max_tokens":10,"temperature":0.5,"stop":["X","Y"],"user":"u1",
                 "messages":[{"role":"system","content":"rule 1"},{"role":"developer","content":"rule 2"},
                  {"role":"user","content":[{"type":"text","text":"what is this?"},
                    {"type":"image_url","image_url":{"url":"data:image/png;base64,AAAA"}},
                    {"type":"image_url","image_url":{"url":"https://x/y.png"}}]},
                  {"role":"assistant","content":"a cat"},{"role":"user","content":"sure?"}]}""");
        JsonNode out = t.request(openai, "claude-x", true);
        assertThat(out.path("system").asText()).isEqualTo("rule 1\n\nrule 2");
        assertThat(out.path("model").asText()).isEqualTo("claude-x");
        assertThat(out.path("max_tokens").asInt()).isEqualTo(10);
        assertThat(out.path("stop_sequences").toString()).isEqualTo("[\"X\",\"Y\"]");
        assertThat(out.path("metadata").path("user_id").asText()).isEqualTo("u1");
        assertThat(out.path("stream").asBoolean()).isTrue();
        JsonNode parts = out.path("messages").get(0).path("content");
        assertThat(parts.get(0).path("type").asText()).isEqualTo("text");
        assertThat(parts.get(1).path("source").path("media_type").asText()).isEqualTo("image/png");
        assertThat(parts.get(1).path("source").path("data").asText()).isEqualTo("AAAA");
        assertThat(parts.get(2).path("source").path("url").asText()).isEqualTo("https://x/y.png");
        assertThat(out.path("messages").size()).isEqualTo(3);
        assertThat(t.request((ObjectNode) JSON.readTree("{\"messages\":[]}"), null, false).path("max_tokens").asInt())
                .isEqualTo(AnthropicTranslation.DEFAULT_MAX_TOKENS);
    }

    @Test
    void answerStopReasonsUsageAndToolCalls() throws Exception {
        JsonNode msg = JSON.readTree("""
                {"id":"msg_1","model":"claude","stop_reason":"tool_use",
                 "content":[{"type":"text","text":"let me look"},
                   {"type":"tool_use","id":"t1","name":"search","input":{"q":"cats"}}],
                 "usage":{"input_tokens":10,"cache_read_input_tokens":5,"output_tokens":7}}""");
        ObjectNode c = t.completion(msg, 42);
        assertThat(c.path("choices").get(0).path("message").path("content").asText()).isEqualTo("let me look");
        assertThat(c.path("choices").get(0).path("finish_reason").asText()).isEqualTo("tool_calls");
        assertThat(c.at("/choices/0/message/tool_calls/0/function/arguments").asText()).isEqualTo("{\"q\":\"cats\"}");
        assertThat(c.path("usage").path("prompt_tokens").asInt()).isEqualTo(15);
        assertThat(c.path("usage").path("total_tokens").asInt()).isEqualTo(22);
        assertThat(AnthropicTranslation.finishReason("end_turn")).isEqualTo("stop");
        assertThat(AnthropicTranslation.finishReason("stop_sequence")).isEqualTo("stop");
        assertThat(AnthropicTranslation.finishReason("max_tokens")).isEqualTo("length");
        assertThat(AnthropicTranslation.finishReason("refusal")).isEqualTo("content_filter");
    }

    @Test
    void streamEventsBecomeOpenAiChunks() throws Exception {
        AnthropicTranslation.StreamState s = t.new StreamState(1, true);
        List<ObjectNode> chunks = new ArrayList<>();
        chunks.addAll(s.translate("message_start", JSON.readTree(
                "{\"message\":{\"id\":\"msg_1\",\"model\":\"claude\",\"usage\":{\"input_tokens\":4,\"output_tokens\":1}}}")));
        chunks.addAll(s.translate("ping", JSON.readTree("{}")));
        chunks.addAll(s.translate("content_block_delta", JSON.readTree("{\"delta\":{\"type\":\"text_delta\",\"text\":\"Hi\"}}")));
        chunks.addAll(s.translate("message_delta", JSON.readTree(
                "{\"delta\":{\"stop_reason\":\"max_tokens\"},\"usage\":{\"output_tokens\":9}}")));
        chunks.addAll(s.translate("message_stop", JSON.readTree("{}")));
        assertThat(chunks).hasSize(4);
        assertThat(chunks.get(0).at("/choices/0/delta/role").asText()).isEqualTo("assistant");
        assertThat(chunks.get(1).at("/choices/0/delta/content").asText()).isEqualTo("Hi");
        assertThat(chunks.get(2).at("/choices/0/finish_reason").asText()).isEqualTo("length");
        assertThat(chunks.get(3).path("usage").path("completion_tokens").asInt()).isEqualTo(9);
        assertThat(chunks.get(3).path("usage").path("prompt_tokens").asInt()).isEqualTo(4);
        assertThat(chunks.get(1).path("id").asText()).isEqualTo("msg_1");
        assertThat(s.stopped()).isTrue();
    }
}
