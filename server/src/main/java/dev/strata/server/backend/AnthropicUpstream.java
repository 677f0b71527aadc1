package dev.strata.server.backend;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.time.Clock;

/**
 * Anthropic's Messages API behind OpenAI's chat completions, translated both ways by
 * {@link AnthropicTranslation}. Authenticates with {@code x-api-key} and pins
 * {@code anthropic-version: 2023-06-01}.
 */
public final class AnthropicUpstream implements Backend {
    static final String VERSION = "2023-06-01";

    private final UpstreamConfig config;
    private final HttpUpstream http;
    private final AnthropicTranslation translation;
    private final Clock clock;

    public AnthropicUpstream(UpstreamConfig config, HttpClient client, ObjectMapper json, Clock clock) {
        this(config, client, json, clock, new Hops());
    }

    /** @param hops the loop guard's count of the request being served, sent on as {@code x-strata-hops} */
    public AnthropicUpstream(UpstreamConfig config, HttpClient client, ObjectMapper json, Clock clock, Hops hops) {
        this.config = config;
        this.http = new HttpUpstream(config, client, json, hops);
        this.translation = new AnthropicTranslation(json);
        this.clock = clock;
    }

    @Override
    public String name() {
        return config.name();
    }

    @Override
    public BackendResult complete(ObjectNode request) {
        return call(request, null);
    }

    @Override
    public BackendResult stream(ObjectNode request, ChunkSink sink) {
        return call(request, sink);
    }

    private BackendResult call(ObjectNode request, ChunkSink sink) {
        return http.exchange(() -> {
            UpstreamRequest post = http.post("/v1/messages",
                    translation.request(request, config.model(), sink != null)).with("anthropic-version", VERSION);
            return config.apiKey() == null ? post : post.with("x-api-key", config.apiKey());
        }, response -> sink == null ? whole(response)
                : streamed(response, sink, request.path("stream_options").path("include_usage").asBoolean(false)));
    }

    private BackendResult whole(UpstreamResponse response) throws IOException {
        try (InputStream in = response.body()) {
            JsonNode message = http.json().readTree(in);
            return new BackendResult.Answered(translation.completion(message, clock.instant().getEpochSecond()), name());
        }
    }

    private BackendResult streamed(UpstreamResponse response, ChunkSink sink, boolean includeUsage) {
        AnthropicTranslation.StreamState state = translation.new StreamState(clock.instant().getEpochSecond(),
                includeUsage);
        Answers answers = new Answers(http.json());
        BackendResult.Failed[] error = {null};
        boolean[] cancelled = {false};
        try (InputStream in = response.body()) {
            HttpUpstream.readEvents(in, (event, data) -> {
                JsonNode node = http.json().readTree(data);
                String type = event != null ? event : node.path("type").asText();
                if (type.equals("error")) {
                    error[0] = new BackendResult.Failed(Failure.SERVER_ERROR, 0, "upstream " + name()
                            + " stream failed: " + node.path("error").path("message").asText(), -1,
                            answers.chunks() > 0, name());
                    return false;
                }
                for (ObjectNode chunk : state.translate(type, node)) {
                    answers.add(chunk);
                    if (!sink.accept(chunk)) {
                        cancelled[0] = true;
                        return false;
                    }
                }
                return !state.stopped();
            });
        } catch (IOException e) {
            return new BackendResult.Failed(Failure.DROPPED, 0, "upstream " + name() + " stream dropped: " + e, -1,
                    answers.chunks() > 0, name());
        }
        if (error[0] != null) {
            return error[0];
        }
        if (cancelled[0]) {
            return new BackendResult.Failed(Failure.CANCELLED, 0, "stream stopped by the caller", -1, true, name());
        }
        if (!state.stopped()) {
            return new BackendResult.Failed(Failure.DROPPED, 0, "upstream " + name()
                    + " stream ended without message_stop", -1, answers.chunks() > 0, name());
        }
        return new BackendResult.Answered(answers.completion(), name());
    }
}
