package dev.strata.server.gateway;

import dev.strata.server.testservices.JsonFrames;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.server.audit.AuditQuery;
import dev.strata.server.audit.AuditRecord;
import dev.strata.server.config.TenancyConfig;
import dev.strata.server.grpc.proto.ChatMessage;
import dev.strata.server.grpc.proto.ChatRequest;
import dev.strata.server.grpc.proto.GenerateEvent;
import dev.strata.server.grpc.proto.GenerateRequest;
import dev.strata.server.grpc.proto.StrataGrpc;
import dev.strata.server.tenant.Quota;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The WebSocket {@code /v1/stream} and gRPC {@code strata.v1.Strata} transports authenticate, are
 * limited as the key's tenant and write exactly one audit record per request, as {@code /v1} does.
 */
class TransportAuditTest {
    private static final String UNKNOWN_KEY = "sk-strata-0123456789ab_nope";

    @TempDir
    Path dir;

    private Replica start() throws Exception {
        return Replica.start(TenancyConfig.DEFAULTS.withRequireAuth(true).withDataDir(dir), 8, 0);
    }

    private static String createKey(Replica r, Quota quota) {
        return r.gateway().tenancy().keyAdmin().createKey("acme", quota).text();
    }

    private static String keyId(String key) {
        return key.substring("sk-strata-".length(), key.indexOf('_'));
    }

    private static List<AuditRecord> audit(Replica r) {
        return r.gateway().tenancy().audit().query(AuditQuery.all(100));
    }

    private static Quota rpm(int requestsPerMinute) {
        return new Quota(requestsPerMinute, null, null, null, Set.of(), null, null, null, null, null);
    }

    @Test
    void webSocketRequestsAreAuditedOnceAndLimited() throws Exception {
        try (Replica r = start(); HttpClient http = HttpClient.newHttpClient()) {
            String key = createKey(r, rpm(1));
            JsonFrames frames = new JsonFrames();
            WebSocket ws = http.newWebSocketBuilder().header("Authorization", "Bearer " + key)
                    .buildAsync(URI.create("ws://127.0.0.1:" + r.uri().getPort() + "/v1/stream"), frames).join();
            ws.sendText("{\"model\":\"m\",\"prompt\":\"hello\",\"max_tokens\":4,\"ignore_eos\":true}", true).join();
            JsonNode last;
            do {
                last = frames.next();
            } while (last.get("type").asText().equals("token"));
            assertThat(last.get("type").asText()).isEqualTo("done");

            // the record is stored before "done" is sent
            assertThat(audit(r)).singleElement().satisfies(a -> {
                assertThat(a.endpoint()).isEqualTo("WS /v1/stream");
                assertThat(a.tenant()).isEqualTo("acme");
                assertThat(a.keyId()).isEqualTo(keyId(key));
                assertThat(a.model()).isEqualTo("m");
                assertThat(a.status()).isEqualTo(200);
                assertThat(a.promptTokens()).isPositive();
                assertThat(a.completionTokens()).isEqualTo(4);
                assertThat(a.outputSha256()).hasSize(64);
            });

            ws.sendText("{\"model\":\"m\",\"prompt\":\"again\",\"max_tokens\":4}", true).join();
            JsonNode refused = frames.next();
            assertThat(refused.get("type").asText()).isEqualTo("error");
            assertThat(refused.get("error").get("code").asText()).isEqualTo("rate_limit_exceeded");
            assertThat(audit(r)).hasSize(2).filteredOn(a -> a.status() == 429).singleElement()
                    .satisfies(a -> assertThat(a.keyId()).isEqualTo(keyId(key)));
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").join();
        }
    }

    @Test
    void aWebSocketClosedMidStreamIsAuditedOnceAs499() throws Exception {
        try (Replica r = Replica.start(TenancyConfig.DEFAULTS.withRequireAuth(true).withDataDir(dir), 8, 1_000_000L);
                HttpClient http = HttpClient.newHttpClient()) {
            String key = createKey(r, Quota.NONE);
            JsonFrames frames = new JsonFrames();
            WebSocket ws = http.newWebSocketBuilder().header("Authorization", "Bearer " + key)
                    .buildAsync(URI.create("ws://127.0.0.1:" + r.uri().getPort() + "/v1/stream"), frames).join();
            ws.sendText("{\"model\":\"m\",\"prompt\":\"go\",\"max_tokens\":3000,\"ignore_eos\":true}", true).join();
            assertThat(frames.next().get("type").asText()).isEqualTo("token");
            ws.abort();
            long deadline = System.nanoTime() + 10_000_000_000L; // the server notices the close within a step
            while (audit(r).isEmpty() && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertThat(audit(r)).singleElement().satisfies(a -> {
                assertThat(a.status()).isEqualTo(499);
                assertThat(a.completionTokens()).isBetween(1, 2999);
            });
        }
    }

    @Test
    void webSocketWithAnUnknownKeyIsRefusedAtTheUpgrade() throws Exception {
        try (Replica r = start(); HttpClient http = HttpClient.newHttpClient()) {
            URI uri = URI.create("ws://127.0.0.1:" + r.uri().getPort() + "/v1/stream");
            assertThatThrownBy(() -> http.newWebSocketBuilder().header("Authorization", "Bearer " + UNKNOWN_KEY)
                    .buildAsync(uri, new JsonFrames()).join())
                    .isInstanceOf(CompletionException.class)
                    .cause().isInstanceOfSatisfying(WebSocketHandshakeException.class,
                            e -> assertThat(e.getResponse().statusCode()).isEqualTo(401));
            assertThat(audit(r)).singleElement().satisfies(a -> {
                assertThat(a.status()).isEqualTo(401);
                assertThat(a.endpoint()).isEqualTo("WS /v1/stream");
                assertThat(a.tenant()).isNull();
            });
        }
    }

    @Test
    void grpcCallsAreAuditedOnceAndLimited() throws Exception {
        try (Replica r = start()) {
            String key = createKey(r, rpm(2));
            ManagedChannel channel = channel(r);
            try {
                StrataGrpc.StrataBlockingStub stub = stub(channel, key);
                List<GenerateEvent> events = new ArrayList<>();
                stub.generate(GenerateRequest.newBuilder().setModel("m").setPrompt("hello").setMaxTokens(5)
                        .setIgnoreEos(true).build()).forEachRemaining(events::add);
                assertThat(events.getLast().getDone().getUsage().getOutputTokens()).isEqualTo(5);
                assertThat(audit(r)).singleElement().satisfies(a -> {
                    assertThat(a.endpoint()).isEqualTo("GRPC strata.v1.Strata/Generate");
                    assertThat(a.tenant()).isEqualTo("acme");
                    assertThat(a.keyId()).isEqualTo(keyId(key));
                    assertThat(a.model()).isEqualTo("m");
                    assertThat(a.status()).isEqualTo(200);
                    assertThat(a.promptTokens()).isPositive();
                    assertThat(a.completionTokens()).isEqualTo(5);
                });

                ChatRequest chat = ChatRequest.newBuilder().setModel("m").setMaxTokens(3)
                        .addMessages(ChatMessage.newBuilder().setRole("user").setContent("hi")).build();
                assertThat(stub.chat(chat).getMessage().getRole()).isEqualTo("assistant");
                assertThatThrownBy(() -> stub.chat(chat)).isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED));
                List<AuditRecord> rows = audit(r);
                assertThat(rows).hasSize(3).allSatisfy(a -> assertThat(a.keyId()).isEqualTo(keyId(key)));
                assertThat(rows).filteredOn(a -> a.endpoint().equals("GRPC strata.v1.Strata/Chat"))
                        .extracting(AuditRecord::status).containsExactlyInAnyOrder(200, 429);
            } finally {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void aCancelledGrpcCallIsAuditedOnceAs499() throws Exception {
        try (Replica r = Replica.start(TenancyConfig.DEFAULTS.withRequireAuth(true).withDataDir(dir), 8, 1_000_000L)) {
            String key = createKey(r, Quota.NONE);
            ManagedChannel channel = channel(r);
            Context.CancellableContext context = Context.current().withCancellation();
            Context previous = context.attach();
            try {
                Iterator<GenerateEvent> events = stub(channel, key).generate(GenerateRequest.newBuilder().setModel("m")
                        .setPrompt("go").setMaxTokens(3000).setIgnoreEos(true).build());
                assertThat(events.next().hasToken()).isTrue();
            } finally {
                context.detach(previous);
                context.cancel(null);
            }
            try {
                long deadline = System.nanoTime() + 10_000_000_000L; // the server notices the cancel within a step
                while (audit(r).isEmpty() && System.nanoTime() < deadline) {
                    Thread.onSpinWait();
                }
                assertThat(audit(r)).singleElement().satisfies(a -> {
                    assertThat(a.status()).isEqualTo(499);
                    assertThat(a.keyId()).isEqualTo(keyId(key));
                    assertThat(a.completionTokens()).isBetween(1, 2999);
                });
            } finally {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void grpcWithAnUnknownKeyIsUnauthenticated() throws Exception {
        try (Replica r = start()) {
            ManagedChannel channel = channel(r);
            try {
                for (String key : new String[] {UNKNOWN_KEY, null}) {
                    assertThatThrownBy(() -> stub(channel, key).generate(GenerateRequest.newBuilder().setModel("m")
                            .setPrompt("x").build()).hasNext())
                            .isInstanceOfSatisfying(StatusRuntimeException.class,
                                    e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));
                }
                assertThat(audit(r)).hasSize(2).allSatisfy(a -> {
                    assertThat(a.status()).isEqualTo(401);
                    assertThat(a.endpoint()).isEqualTo("GRPC strata.v1.Strata/Generate");
                });
            } finally {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
    }

    private static ManagedChannel channel(Replica r) {
        return NettyChannelBuilder.forAddress("127.0.0.1", r.grpcPort()).usePlaintext().build();
    }

    private static StrataGrpc.StrataBlockingStub stub(ManagedChannel channel, String key) {
        StrataGrpc.StrataBlockingStub stub = StrataGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
        if (key == null) {
            return stub;
        }
        Metadata headers = new Metadata();
        headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + key);
        return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    }
}
