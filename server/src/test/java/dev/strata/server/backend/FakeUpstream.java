package dev.strata.server.backend;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;

/**
 * A scriptable upstream on 127.0.0.1 speaking OpenAI's chat completions or Anthropic's Messages,
 * whole and streamed. Each request takes the next queued {@link Act} (or the default one): answer
 * a text with given token logprobs, fail with a status (and Retry-After), hang until closed, or drop
 * the connection after some chunks. Records every request body it got.
 */
public final class FakeUpstream implements AutoCloseable {
    /** What to do with one request. */
    public sealed interface Act {
        /** Answer {@code words} (one token each, each with {@code logprob}), finishing with {@code finish}. */
        record Answer(List<String> words, double logprob, String finish) implements Act {}
        record Status(int status, String retryAfterSeconds) implements Act {}
        /** Never answer (until the upstream closes). */
        record Hang() implements Act {}
        /** Stream {@code chunks} tokens, then cut the connection. */
        record Drop(int chunks) implements Act {}
    }

    public static Act answer(String text) {
        return new Act.Answer(List.of(text.split("(?<= )")), -0.1, "stop");
    }

    public static Act answer(String text, double logprob) {
        return new Act.Answer(List.of(text.split("(?<= )")), logprob, "stop");
    }

    private final boolean anthropic;
    private final HttpServer server;
    private final ObjectMapper json = new ObjectMapper();
    private final ConcurrentLinkedQueue<Act> script = new ConcurrentLinkedQueue<>();
    private final List<JsonNode> requests = new CopyOnWriteArrayList<>();
    private final List<String> rawRequests = new CopyOnWriteArrayList<>();
    private final List<String> rawAnswers = new CopyOnWriteArrayList<>();
    private final List<String> authHeaders = new CopyOnWriteArrayList<>();
    private final List<String> hopHeaders = new CopyOnWriteArrayList<>();
    private final CountDownLatch closed = new CountDownLatch(1);
    private volatile Act fallback;

    private FakeUpstream(boolean anthropic, Act fallback) throws IOException {
        this.anthropic = anthropic;
        this.fallback = fallback;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", this::handle);
        server.start();
    }

    public static FakeUpstream openAi(Act fallback) throws IOException {
        return new FakeUpstream(false, fallback);
    }

    public static FakeUpstream anthropic(Act fallback) throws IOException {
        return new FakeUpstream(true, fallback);
    }

    /** OpenAI: {@code http://127.0.0.1:port/v1}; Anthropic: {@code http://127.0.0.1:port}. */
    public URI baseUrl() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + (anthropic ? "" : "/v1"));
    }

    public FakeUpstream then(Act... acts) {
        script.addAll(List.of(acts));
        return this;
    }

    public void always(Act act) {
        this.fallback = act;
    }

    public List<JsonNode> requests() {
        return requests;
    }

    /** Each POST body exactly as received. */
    public List<String> rawRequests() {
        return rawRequests;
    }

    /** Each whole (not streamed) answer exactly as sent. */
    public List<String> rawAnswers() {
        return rawAnswers;
    }

    public List<String> authHeaders() {
        return authHeaders;
    }

    /** The {@code x-strata-hops} header of each request ({@code "-"} when absent). */
    public List<String> hopHeaders() {
        return hopHeaders;
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            if (ex.getRequestMethod().equals("GET")) {
                Act act = fallback;
                send(ex, act instanceof Act.Status s ? s.status() : 200, "{\"object\":\"list\",\"data\":[]}");
                return;
            }
            byte[] raw = ex.getRequestBody().readAllBytes();
            rawRequests.add(new String(raw, java.nio.charset.StandardCharsets.UTF_8));
            JsonNode body = json.readTree(raw);
            requests.add(body);
            authHeaders.add(anthropic ? ex.getRequestHeaders().getFirst("x-api-key")
                    : ex.getRequestHeaders().getFirst("authorization"));
            String hops = ex.getRequestHeaders().getFirst("x-strata-hops");
            hopHeaders.add(hops == null ? "-" : hops);
            Act act = script.poll();
            if (act == null) {
                act = fallback;
            }
            boolean stream = body.path("stream").asBoolean(false);
            switch (act) {
                case Act.Status s -> {
                    if (s.retryAfterSeconds() != null) {
                        ex.getResponseHeaders().add("retry-after", s.retryAfterSeconds());
                    }
                    send(ex, s.status(), "{\"error\":{\"message\":\"scripted " + s.status() + "\",\"type\":\"x\"}}");
                }
                case Act.Hang h -> {
                    try {
                        closed.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                case Act.Answer a -> {
                    if (stream) {
                        streamAnswer(ex, a, a.words().size(), true);
                    } else {
                        String answer = json.writeValueAsString(anthropic ? message(a) : completion(a));
                        rawAnswers.add(answer);
                        send(ex, 200, answer);
                    }
                }
                case Act.Drop d -> streamAnswer(ex, new Act.Answer(List.of("never ", "finished ", "text ", "here "),
                        -0.1, "stop"), d.chunks(), false);
            }
        }
    }

    private void send(HttpExchange ex, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("content-type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
    }

    private ObjectNode completion(Act.Answer a) {
        ObjectNode out = json.createObjectNode().put("id", "chatcmpl-fake").put("object", "chat.completion")
                .put("created", 1).put("model", "fake");
        ObjectNode choice = out.putArray("choices").addObject().put("index", 0);
        choice.putObject("message").put("role", "assistant").put("content", String.join("", a.words()));
        ArrayNode lps = choice.putObject("logprobs").putArray("content");
        a.words().forEach(w -> lps.addObject().put("token", w).put("logprob", a.logprob()));
        choice.put("finish_reason", a.finish());
        out.putObject("usage").put("prompt_tokens", 3).put("completion_tokens", a.words().size())
                .put("total_tokens", 3 + a.words().size());
        return out;
    }

    private ObjectNode message(Act.Answer a) {
        ObjectNode out = json.createObjectNode().put("id", "msg_fake").put("type", "message").put("role", "assistant")
                .put("model", "claude-fake");
        out.putArray("content").addObject().put("type", "text").put("text", String.join("", a.words()));
        out.put("stop_reason", a.finish().equals("length") ? "max_tokens" : "end_turn");
        out.putObject("usage").put("input_tokens", 3).put("output_tokens", a.words().size());
        return out;
    }

    private void streamAnswer(HttpExchange ex, Act.Answer a, int chunks, boolean finish) throws IOException {
        ex.getResponseHeaders().add("content-type", "text/event-stream");
        ex.sendResponseHeaders(200, 0);
        OutputStream out = ex.getResponseBody();
        if (anthropic) {
            event(out, "message_start", "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_fake\",\"model\":"
                    + "\"claude-fake\",\"usage\":{\"input_tokens\":3,\"output_tokens\":1}}}");
            event(out, "content_block_start", "{\"type\":\"content_block_start\",\"index\":0,"
                    + "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}");
            event(out, "ping", "{\"type\":\"ping\"}");
        } else {
            event(out, null, "{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"fake\","
                    + "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},"
                    + "\"finish_reason\":null}]}");
        }
        for (int i = 0; i < chunks; i++) {
            String w = json.writeValueAsString(a.words().get(i));
            if (anthropic) {
                event(out, "content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":"
                        + "{\"type\":\"text_delta\",\"text\":" + w + "}}");
            } else {
                event(out, null, "{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"fake\","
                        + "\"choices\":[{\"index\":0,\"delta\":{\"content\":" + w + "},\"logprobs\":{\"content\":"
                        + "[{\"token\":" + w + ",\"logprob\":" + a.logprob() + "}]},\"finish_reason\":null}]}");
            }
        }
        if (!finish) {
            out.flush();
            ex.getHttpContext().getServer(); // cut: close the connection without the terminating chunk
            ex.getRequestBody().close();
            throw new IOException("scripted drop");
        }
        if (anthropic) {
            event(out, "content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}");
            event(out, "message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\""
                    + (a.finish().equals("length") ? "max_tokens" : "end_turn") + "\"},\"usage\":{\"output_tokens\":"
                    + chunks + "}}");
            event(out, "message_stop", "{\"type\":\"message_stop\"}");
        } else {
            event(out, null, "{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"fake\","
                    + "\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"" + a.finish() + "\"}]}");
            out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
        }
    }

    private static void event(OutputStream out, String event, String data) throws IOException {
        String text = (event != null ? "event: " + event + "\n" : "") + "data: " + data + "\n\n";
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    @Override
    public void close() {
        closed.countDown();
        server.stop(0);
    }
}
