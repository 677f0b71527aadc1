package dev.strata.server.observe;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.server.config.ObserveConfig;
import dev.strata.server.grpc.proto.GenerateEvent;
import dev.strata.server.grpc.proto.GenerateRequest;
import dev.strata.server.grpc.proto.Sampling;
import dev.strata.server.grpc.proto.StrataGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * gRPC calls and WebSocket messages get the same span tree as HTTP requests — a server span that
 * continues the caller's {@code traceparent} (gRPC metadata, WebSocket upgrade headers) with parse,
 * admission, queue, prefill and decode children — collected by the SDK's in-memory exporter.
 */
class TransportTracingTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String GRPC_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String WS_TRACE = "5cf92f3577b34da6a3ce929d0e0e4737";
    private static final String PARENT_SPAN = "00f067aa0ba902b7";
    private static final List<String> STAGES = List.of("strata.parse", "strata.admission", "strata.queue",
            "strata.prefill", "strata.decode");

    private static ObservedServer server;

    @BeforeAll
    static void start() throws Exception {
        server = ObservedServer.startWithGrpc(ObserveConfig.DEFAULTS);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String traceparent(String traceId) {
        return "00-" + traceId + "-" + PARENT_SPAN + "-01";
    }

    /**
     * The finished spans of {@code traceId} but the WebSocket upgrade request's own
     * ({@code GET /v1/stream}). The server span ends before the client hears the end (gRPC close,
     * WebSocket done frame), and the in-memory exporter receives spans as they end.
     */
    private static List<SpanData> spans(String traceId) {
        return server.spans.getFinishedSpanItems().stream()
                .filter(s -> s.getTraceId().equals(traceId) && !s.getName().startsWith("GET ")).toList();
    }

    /** The server span, and its children by name, each inside it. */
    private static SpanData assertTree(List<SpanData> spans, String name, long outputTokens) {
        assertThat(spans).hasSize(1 + STAGES.size());
        SpanData root = spans.stream().filter(s -> s.getKind() == SpanKind.SERVER).findFirst().orElseThrow();
        assertThat(root.getName()).isEqualTo(name);
        assertThat(root.getParentSpanId()).isEqualTo(PARENT_SPAN);
        assertThat(root.getAttributes().get(AttributeKey.stringKey("strata.tenant"))).isEqualTo("acme");
        assertThat(root.getAttributes().get(AttributeKey.stringKey("gen_ai.request.model")))
                .isEqualTo(ObservedServer.MODEL);
        assertThat(root.getAttributes().get(AttributeKey.longKey("gen_ai.usage.output_tokens"))).isEqualTo(outputTokens);
        Map<String, SpanData> children = spans.stream().filter(s -> s != root)
                .collect(Collectors.toMap(SpanData::getName, Function.identity()));
        assertThat(children.keySet()).containsExactlyInAnyOrderElementsOf(STAGES);
        assertThat(children.values()).allSatisfy(child -> {
            assertThat(child.getParentSpanId()).isEqualTo(root.getSpanId());
            assertThat(child.getStartEpochNanos()).isGreaterThanOrEqualTo(root.getStartEpochNanos());
            assertThat(child.getEndEpochNanos()).isLessThanOrEqualTo(root.getEndEpochNanos());
        });
        assertThat(children.get("strata.decode").getAttributes().get(AttributeKey.longKey("gen_ai.usage.output_tokens")))
                .isEqualTo(outputTokens);
        return root;
    }

    /** Like an HTTP request: one {@code strata_requests_total} sample with status 200, one request log line. */
    private static void assertCountedAndLogged(String route, String transport) throws Exception {
        assertThat(server.scrape().samples()).anySatisfy(sample -> {
            assertThat(sample.name()).isEqualTo("strata_requests_total");
            assertThat(sample.labels()).containsEntry("route", route).containsEntry("method", transport)
                    .containsEntry("status", "200").containsEntry("tenant", "acme");
            assertThat(sample.value()).isEqualTo(1.0);
        });
        assertThat(server.logLines()).anySatisfy(line -> {
            assertThat(line.path("event").asText()).isEqualTo("request");
            assertThat(line.path("route").asText()).isEqualTo(route);
            assertThat(line.path("status").asInt()).isEqualTo(200);
            assertThat(line.path("completion_tokens").asInt()).isPositive();
        });
    }

    @Test
    void grpcCallContinuesTheTraceOfItsMetadata() throws Exception {
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.gateway.grpcPort()).usePlaintext()
                .build();
        try {
            Metadata headers = new Metadata();
            headers.put(Metadata.Key.of("traceparent", Metadata.ASCII_STRING_MARSHALLER), traceparent(GRPC_TRACE));
            headers.put(Metadata.Key.of("x-strata-tenant", Metadata.ASCII_STRING_MARSHALLER), "acme");
            StrataGrpc.StrataBlockingStub stub = StrataGrpc.newBlockingStub(channel)
                    .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
                    .withDeadlineAfter(30, TimeUnit.SECONDS);
            List<GenerateEvent> events = new ArrayList<>();
            stub.generate(GenerateRequest.newBuilder().setModel(ObservedServer.MODEL).setPrompt("Once upon a time")
                    .setMaxTokens(4).setIgnoreEos(true).setSampling(Sampling.newBuilder().setTemperature(0)).build())
                    .forEachRemaining(events::add);
            long output = events.getLast().getDone().getUsage().getOutputTokens();
            assertThat(output).isEqualTo(4);
            SpanData root = assertTree(spans(GRPC_TRACE), "strata.v1.Strata/Generate", output);
            assertThat(root.getAttributes().get(AttributeKey.stringKey("rpc.system"))).isEqualTo("grpc");
            assertThat(root.getAttributes().get(AttributeKey.stringKey("strata.status"))).isEqualTo("OK");
            assertCountedAndLogged("strata.v1.Strata/Generate", "grpc");
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void webSocketMessageContinuesTheTraceOfTheUpgradeRequest() throws Exception {
        BlockingQueue<JsonNode> frames = new LinkedBlockingQueue<>();
        try (HttpClient http = HttpClient.newHttpClient()) {
            URI uri = URI.create("ws://127.0.0.1:" + server.gateway.httpUri().getPort() + "/v1/stream");
            WebSocket ws = http.newWebSocketBuilder().header("traceparent", traceparent(WS_TRACE))
                    .header("x-strata-tenant", "acme").buildAsync(uri, new WebSocket.Listener() {
                        private final StringBuilder partial = new StringBuilder();

                        @Override
                        public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
                            partial.append(data);
                            if (last) {
                                try {
                                    frames.add(JSON.readTree(partial.toString()));
                                } catch (Exception e) {
                                    throw new IllegalStateException(e);
                                }
                                partial.setLength(0);
                            }
                            socket.request(1);
                            return null;
                        }
                    }).join();
            ws.sendText("{\"model\":\"" + ObservedServer.MODEL + "\",\"prompt\":\"Once upon a time\",\"max_tokens\":3,"
                    + "\"ignore_eos\":true,\"temperature\":0}", true).join();
            JsonNode done;
            do {
                done = frames.poll(30, TimeUnit.SECONDS);
                assertThat(done).as("a frame within 30 s").isNotNull();
            } while (!"done".equals(done.path("type").asText()));
            long output = done.path("usage").path("output_tokens").asLong();
            assertThat(output).isEqualTo(3);
            SpanData root = assertTree(spans(WS_TRACE), "WS /v1/stream", output);
            assertThat(root.getAttributes().get(AttributeKey.stringKey("network.protocol.name")))
                    .isEqualTo("websocket");
            assertCountedAndLogged("WS /v1/stream", "websocket");
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").join();
        }
    }
}
