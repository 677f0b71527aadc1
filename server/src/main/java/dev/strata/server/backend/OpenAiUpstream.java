package dev.strata.server.backend;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.time.Duration;

/**
 * Any OpenAI-compatible server: OpenAI, vLLM, llama-server, TGI's Messages API, Triton's OpenAI
 * frontend, Ollama, another Strata. Requests pass through unchanged except {@code model} (when the
 * upstream has its own name for it); streamed chunks are handed on one by one as they arrive.
 */
public final class OpenAiUpstream implements Backend {
    /** Longest a health check waits (a request timeout shorter than this wins). */
    static final Duration PROBE_TIMEOUT = Duration.ofSeconds(5);

    private final UpstreamConfig config;
    private final HttpUpstream http;
    private final ClientBody clientBody;

    public OpenAiUpstream(UpstreamConfig config, HttpClient client, ObjectMapper json) {
        this(config, client, json, new Hops(), new ClientBody());
    }

    /**
     * @param hops       the loop guard's count of the request being served, sent on as {@code x-strata-hops}
     * @param clientBody the client's bytes of the request being served, sent as they are (with only
     *                   {@code model} replaced when this upstream overrides it) when the request has
     *                   no stream fields
     */
    public OpenAiUpstream(UpstreamConfig config, HttpClient client, ObjectMapper json, Hops hops,
            ClientBody clientBody) {
        this.config = config;
        this.http = new HttpUpstream(config, client, json, hops);
        this.clientBody = clientBody;
    }

    @Override
    public String name() {
        return config.name();
    }

    @Override
    public BackendResult complete(ObjectNode request) {
        byte[] asSent = !request.has("stream") && !request.has("stream_options") ? asSent(request) : null;
        if (asSent != null) {
            return call(null, asSent, null);
        }
        ObjectNode body = outgoing(request);
        body.remove("stream");
        body.remove("stream_options");
        return call(body, null, null);
    }

    @Override
    public BackendResult stream(ObjectNode request, ChunkSink sink) {
        byte[] asSent = request.path("stream").booleanValue() ? asSent(request) : null;
        if (asSent != null) {
            return call(null, asSent, sink);
        }
        ObjectNode body = outgoing(request);
        body.put("stream", true);
        return call(body, null, sink);
    }

    /**
     * The client's bytes of {@code request}, with this upstream's {@code model} spliced in when it
     * overrides one; null when {@code request} is not the client's tree or the splice cannot be done.
     */
    private byte[] asSent(ObjectNode request) {
        byte[] bytes = clientBody.bytesOf(request);
        if (bytes == null || config.model() == null || config.model().equals(request.path("model").textValue())) {
            return bytes;
        }
        return ClientBody.withModel(http.json().getFactory(), bytes, config.model());
    }

    @Override
    public boolean probe() {
        Duration timeout = config.requestTimeout().compareTo(PROBE_TIMEOUT) < 0 ? config.requestTimeout() : PROBE_TIMEOUT;
        try {
            return switch (http.send(authorize(http.get("/models", timeout)))) {
                case HttpUpstream.Reply.Ok ok -> {
                    ok.response().body().close();
                    yield true;
                }
                case HttpUpstream.Reply.Error e -> false;
            };
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (IOException e) {
            return false;
        }
    }

    private ObjectNode outgoing(ObjectNode request) {
        ObjectNode body = request.deepCopy();
        if (config.model() != null) {
            body.put("model", config.model());
        }
        return body;
    }

    private UpstreamRequest authorize(UpstreamRequest request) {
        return config.apiKey() == null ? request : request.with("authorization", "Bearer " + config.apiKey());
    }

    /** Posts {@code body}, or when it is null {@code unchanged}: the client's own bytes. */
    private BackendResult call(ObjectNode body, byte[] unchanged, ChunkSink sink) {
        return http.exchange(() -> {
            UpstreamRequest post = authorize(body == null ? http.post("/chat/completions", unchanged)
                    : http.post("/chat/completions", body));
            return sink == null ? post : post.with("accept", "text/event-stream");
        }, response -> sink == null ? whole(response) : streamed(response, sink));
    }

    private BackendResult whole(UpstreamResponse response) throws IOException {
        try (InputStream in = response.body()) {
            byte[] bytes = in.readAllBytes();
            JsonNode node = http.json().readTree(bytes);
            if (!(node instanceof ObjectNode object) || !object.has("choices")) {
                return BackendResult.Failed.of(Failure.SERVER_ERROR, "upstream " + name()
                        + " answered something that is not a chat.completion", name());
            }
            return new BackendResult.Answered(object, name(), bytes);
        }
    }

    private BackendResult streamed(UpstreamResponse response, ChunkSink sink) {
        Answers answers = new Answers(http.json());
        boolean[] done = {false};
        BackendResult.Failed[] error = {null};
        try (InputStream in = response.body()) {
            boolean stopped = HttpUpstream.readEvents(in, (event, data) -> {
                if (data.equals("[DONE]")) {
                    done[0] = true;
                    return false;
                }
                JsonNode node = http.json().readTree(data);
                if (node.has("error")) {
                    error[0] = new BackendResult.Failed(Failure.SERVER_ERROR, 0, "upstream " + name()
                            + " stream failed: " + node.path("error").path("message").asText(), -1,
                            answers.chunks() > 0, name());
                    return false;
                }
                if (!(node instanceof ObjectNode chunk)) {
                    return true;
                }
                answers.add(chunk);
                return sink.accept(chunk);
            });
            if (error[0] != null) {
                return error[0];
            }
            if (stopped && !done[0]) {
                return new BackendResult.Failed(Failure.CANCELLED, 0, "stream stopped by the caller", -1,
                        answers.chunks() > 0, name());
            }
        } catch (IOException e) {
            return dropped(answers, e.toString());
        }
        return done[0] ? new BackendResult.Answered(answers.completion(), name())
                : dropped(answers, "stream ended without [DONE]");
    }

    private BackendResult.Failed dropped(Answers answers, String why) {
        return new BackendResult.Failed(Failure.DROPPED, 0, "upstream " + name() + " stream dropped: " + why, -1,
                answers.chunks() > 0, name());
    }

    /** The request timeout, for callers that wait on this upstream. */
    public Duration requestTimeout() {
        return config.requestTimeout();
    }
}
