package dev.strata.server.backend;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class OpenAiUpstreamTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static OpenAiUpstream upstream(URI base, int maxConnections, long timeoutMillis) {
        UpstreamConfig config = new UpstreamConfig("u", UpstreamConfig.Protocol.OPENAI, base, "served-name", "k",
                Duration.ofMillis(200), Duration.ofMillis(timeoutMillis), maxConnections, false);
        return new OpenAiUpstream(config, HttpUpstream.clientFor(config), JSON);
    }

    private static ObjectNode request() throws Exception {
        return (ObjectNode) JSON.readTree("{\"model\":\"asked\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    }

    @Test
    void rewritesTheModelAndStreamsChunksInOrder() throws Exception {
        try (FakeUpstream fake = FakeUpstream.openAi(FakeUpstream.answer("one two three"))) {
            OpenAiUpstream u = upstream(fake.baseUrl(), 4, 5_000);
            List<String> deltas = new ArrayList<>();
            BackendResult r = u.stream(request(), chunk -> deltas.add(chunk.at("/choices/0/delta/content").asText()));
            assertThat(r).isInstanceOf(BackendResult.Answered.class);
            assertThat(String.join("", deltas)).isEqualTo("one two three");
            assertThat(((BackendResult.Answered) r).body().at("/choices/0/finish_reason").asText()).isEqualTo("stop");
            assertThat(fake.requests().getFirst().path("model").asText()).isEqualTo("served-name");
            assertThat(fake.authHeaders().getFirst()).isEqualTo("Bearer k");
            assertThat(u.probe()).isTrue();
        }
    }

    @Test
    void theClientsBytesGoUpstreamWithOnlyTheModelReplacedAndTheAnswersBytesComeBack() throws Exception {
        try (FakeUpstream fake = FakeUpstream.openAi(FakeUpstream.answer("hello"))) {
            UpstreamConfig config = new UpstreamConfig("u", UpstreamConfig.Protocol.OPENAI, fake.baseUrl(),
                    "served-name", "k", Duration.ofMillis(200), Duration.ofMillis(5_000), 4, false);
            ClientBody clientBody = new ClientBody();
            OpenAiUpstream u = new OpenAiUpstream(config, HttpUpstream.clientFor(config), JSON, new Hops(), clientBody);
            String asSent = "{\"messages\" : [ {\"role\":\"user\",\"content\":\"hi\"} ], \"model\":\"asked\" }";
            byte[] bytes = asSent.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            ObjectNode parsed = (ObjectNode) JSON.readTree(bytes);
            BackendResult r = clientBody.bind(parsed, bytes, () -> u.complete(parsed));
            assertThat(fake.rawRequests()).containsExactly(asSent.replace("\"asked\"", "\"served-name\""));
            assertThat(new String(((BackendResult.Answered) r).asReceived(), java.nio.charset.StandardCharsets.UTF_8))
                    .isEqualTo(fake.rawAnswers().getFirst());

            u.complete(request()); // not the bound tree: serialised, model replaced all the same
            assertThat(fake.requests().get(1).path("model").asText()).isEqualTo("served-name");

            String streamed = "{\"model\":\"asked\", \"stream\":true, \"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
            byte[] streamedBytes = streamed.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            ObjectNode streamedTree = (ObjectNode) JSON.readTree(streamedBytes);
            List<String> deltas = new ArrayList<>();
            clientBody.bind(streamedTree, streamedBytes, () -> u.stream(streamedTree,
                    chunk -> deltas.add(chunk.at("/choices/0/delta/content").asText())));
            assertThat(String.join("", deltas)).isEqualTo("hello");
            assertThat(fake.rawRequests().get(2)).isEqualTo(streamed.replace("\"asked\"", "\"served-name\""));
        }
    }

    @Test
    void mapsStatusesAndRetryAfter() throws Exception {
        try (FakeUpstream fake = FakeUpstream.openAi(new FakeUpstream.Act.Status(429, "2"))) {
            BackendResult.Failed f = (BackendResult.Failed) upstream(fake.baseUrl(), 4, 5_000).complete(request());
            assertThat(f.failure()).isEqualTo(Failure.RATE_LIMITED);
            assertThat(f.retryAfterMillis()).isEqualTo(2_000);
            assertThat(f.message()).contains("scripted 429");
            fake.always(new FakeUpstream.Act.Status(400, null));
            assertThat(((BackendResult.Failed) upstream(fake.baseUrl(), 4, 5_000).complete(request())).failure())
                    .isEqualTo(Failure.CLIENT_ERROR);
        }
    }

    @Test
    void boundsConnectionsAndTimesOut() throws Exception {
        try (FakeUpstream fake = FakeUpstream.openAi(new FakeUpstream.Act.Hang())) {
            OpenAiUpstream u = upstream(fake.baseUrl(), 1, 1_000);
            CompletableFuture<BackendResult> first = CompletableFuture.supplyAsync(() -> {
                try {
                    return u.complete(request());
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            while (fake.requests().isEmpty() && !first.isDone()) {
                Thread.onSpinWait(); // bounded by the first call's 1 s timeout
            }
            assertThat(((BackendResult.Failed) u.complete(request())).failure()).isEqualTo(Failure.SATURATED);
            assertThat(((BackendResult.Failed) first.join()).failure()).isEqualTo(Failure.TIMEOUT);
        }
    }

    @Test
    void connectionRefusedIsAConnectFailure() throws Exception {
        BackendResult.Failed f = (BackendResult.Failed) upstream(URI.create("http://127.0.0.1:1/v1"), 1, 1_000)
                .complete(request());
        assertThat(f.failure()).isEqualTo(Failure.CONNECT);
    }
}
