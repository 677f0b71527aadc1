package dev.strata.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.server.config.Limits;
import dev.strata.server.testengine.Http;
import dev.strata.server.testengine.TestGateway;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The raw bytes of a streamed response against OpenAI's format: only {@code data: <json>\n\n}
 * events, ending with {@code data: [DONE]\n\n}, chunk objects shaped as OpenAI's.
 */
class SseFormatTest {
    private static final Pattern EVENT = Pattern.compile("data: ([^\\n]+)\\n\\n");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static TestGateway server;
    private static Http http;

    @BeforeAll
    static void start() throws Exception {
        server = TestGateway.demo(Limits.DEFAULTS);
        http = new Http(server.uri());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** Splits the body into event payloads, asserting nothing else is in it. */
    private static List<String> events(String body) {
        List<String> out = new ArrayList<>();
        Matcher m = EVENT.matcher(body);
        int at = 0;
        while (m.find()) {
            assertThat(m.start()).as("bytes between events at %d", at).isEqualTo(at);
            out.add(m.group(1));
            at = m.end();
        }
        assertThat(at).as("trailing bytes").isEqualTo(body.length());
        return out;
    }

    @Test
    void chatStreamIsOpenAiSse() throws Exception {
        HttpResponse<String> r = http.post("/v1/chat/completions", """
                {"model":"stories260K","messages":[{"role":"user","content":"hi"}],"max_tokens":5,"temperature":0,
                 "stream":true,"stream_options":{"include_usage":true}}""");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type").orElseThrow()).startsWith("text/event-stream");
        List<String> events = events(r.body());
        assertThat(events.getLast()).isEqualTo("[DONE]");
        List<JsonNode> chunks = new ArrayList<>();
        for (String e : events.subList(0, events.size() - 1)) {
            chunks.add(JSON.readTree(e));
        }
        String id = chunks.getFirst().get("id").asText();
        for (JsonNode c : chunks) {
            assertThat(c.get("id").asText()).isEqualTo(id);
            assertThat(c.get("object").asText()).isEqualTo("chat.completion.chunk");
            assertThat(c.get("created").isIntegralNumber()).isTrue();
            assertThat(c.get("model").asText()).isEqualTo("stories260K");
            assertThat(c.has("system_fingerprint")).isTrue();
            assertThat(c.has("usage")).isTrue();
        }
        JsonNode first = chunks.getFirst().get("choices").get(0);
        assertThat(first.get("delta").get("role").asText()).isEqualTo("assistant");
        assertThat(first.get("finish_reason").isNull()).isTrue();
        assertThat(first.get("logprobs").isNull()).isTrue();
        JsonNode finish = chunks.get(chunks.size() - 2);
        assertThat(finish.get("choices").get(0).get("finish_reason").asText()).isIn("stop", "length");
        assertThat(finish.get("choices").get(0).get("delta").size()).isZero();
        assertThat(finish.get("usage").isNull()).isTrue();
        JsonNode usage = chunks.getLast();
        assertThat(usage.get("choices").size()).isZero();
        assertThat(usage.get("usage").get("total_tokens").asInt()).isEqualTo(
                usage.get("usage").get("prompt_tokens").asInt() + usage.get("usage").get("completion_tokens").asInt());
        for (JsonNode c : chunks.subList(1, chunks.size() - 2)) {
            assertThat(c.get("choices").get(0).get("delta").fieldNames()).toIterable().containsExactly("content");
        }
    }

    @Test
    void completionStreamWithoutUsageHasNoUsageField() throws Exception {
        HttpResponse<String> r = http.post("/v1/completions", """
                {"model":"stories260K","prompt":"Once","max_tokens":4,"temperature":0,"stream":true}""");
        List<String> events = events(r.body());
        assertThat(events.getLast()).isEqualTo("[DONE]");
        for (String e : events.subList(0, events.size() - 1)) {
            JsonNode c = JSON.readTree(e);
            assertThat(c.get("object").asText()).isEqualTo("text_completion");
            assertThat(c.has("usage")).isFalse();
            assertThat(c.get("choices").get(0).has("text")).isTrue();
        }
    }

    @Test
    void nativeGenerateStreamsTypedEvents() throws Exception {
        HttpResponse<String> r = http.post("/v1/generate", """
                {"model":"stories260K","prompt":"Once","max_tokens":4,"temperature":0,"stream":true}""");
        List<String> events = events(r.body());
        JsonNode done = JSON.readTree(events.getLast());
        assertThat(done.get("type").asText()).isEqualTo("done");
        assertThat(done.get("usage").get("input_tokens").asInt()).isPositive();
        assertThat(done.get("timings").get("itl_ms")).hasSize(3); // 4 tokens, 3 gaps
        assertThat(done.get("timings").get("ttft_ms").asDouble()).isPositive()
                .isLessThanOrEqualTo(done.get("timings").get("total_ms").asDouble());
        StringBuilder text = new StringBuilder();
        for (String e : events.subList(0, events.size() - 1)) {
            JsonNode t = JSON.readTree(e);
            assertThat(t.get("type").asText()).isEqualTo("token");
            text.append(t.get("token").asText());
        }
        HttpResponse<String> whole = http.post("/v1/generate", """
                {"model":"stories260K","prompt":"Once","max_tokens":4,"temperature":0}""");
        assertThat(JSON.readTree(whole.body()).get("text").asText()).isEqualTo(text.toString());
        JsonNode timings = JSON.readTree(whole.body()).get("timings");
        assertThat(timings.get("queue_ms").asDouble()).isNotNegative();
        assertThat(timings.get("itl_ms")).hasSize(3);
    }
}
