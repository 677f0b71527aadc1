package dev.strata.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.server.config.Limits;
import dev.strata.server.grpc.proto.ChatMessage;
import dev.strata.server.grpc.proto.ChatRequest;
import dev.strata.server.grpc.proto.ChatResponse;
import dev.strata.server.grpc.proto.GenerateEvent;
import dev.strata.server.grpc.proto.GenerateRequest;
import dev.strata.server.grpc.proto.ModelsRequest;
import dev.strata.server.grpc.proto.Sampling;
import dev.strata.server.grpc.proto.StrataGrpc;
import dev.strata.server.testengine.TestEngine;
import dev.strata.server.testengine.TestGateway;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class StrataServiceTest {
    private static TestEngine engine;
    private static TestGateway server;
    private static ManagedChannel channel;
    private static StrataGrpc.StrataBlockingStub stub;

    @BeforeAll
    static void start() throws Exception {
        engine = new TestEngine("m", 4096, TimeUnit.MILLISECONDS.toNanos(1));
        server = TestGateway.serving("m", engine, Limits.DEFAULTS, 0);
        channel = NettyChannelBuilder.forAddress("127.0.0.1", server.gateway().grpcPort()).usePlaintext().build();
        stub = StrataGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stop() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        server.close();
    }

    @Test
    void generateStreamsTokensThenDone() {
        Iterator<GenerateEvent> events = stub.generate(GenerateRequest.newBuilder().setModel("m").setPrompt("hello")
                .setMaxTokens(6).setIgnoreEos(true).setSampling(Sampling.newBuilder().setTemperature(0)).build());
        List<GenerateEvent> all = new ArrayList<>();
        events.forEachRemaining(all::add);
        assertThat(all).hasSize(7);
        assertThat(all.subList(0, 6)).allMatch(GenerateEvent::hasToken);
        assertThat(all.getLast().getDone().getFinishReason()).isEqualTo("length");
        assertThat(all.getLast().getDone().getUsage().getOutputTokens()).isEqualTo(6);
    }

    @Test
    void chatAndModels() {
        ChatResponse r = stub.chat(ChatRequest.newBuilder().setModel("m").setMaxTokens(4)
                .addMessages(ChatMessage.newBuilder().setRole("user").setContent("hi")).build());
        assertThat(r.getMessage().getRole()).isEqualTo("assistant");
        assertThat(r.getUsage().getOutputTokens()).isBetween(1, 4);
        var models = stub.models(ModelsRequest.getDefaultInstance()).getModelsList();
        assertThat(models).singleElement().satisfies(m -> {
            assertThat(m.getId()).isEqualTo("m");
            assertThat(m.getState()).isEqualTo("ready");
            assertThat(m.getContextLength()).isEqualTo(4096);
        });
    }

    @Test
    void errorsAreStatuses() {
        assertThatThrownBy(() -> stub.generate(GenerateRequest.newBuilder().setModel("x").setPrompt("a").build())
                .hasNext()).isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
        assertThatThrownBy(() -> stub.chat(ChatRequest.newBuilder().setModel("m")
                .setSampling(Sampling.newBuilder().setTopP(0))
                .addMessages(ChatMessage.newBuilder().setRole("user").setContent("hi")).build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));
    }

    @Test
    void cancellingTheCallCancelsTheGeneration() throws Exception {
        Context.CancellableContext context = Context.current().withCancellation();
        Context previous = context.attach();
        try {
            Iterator<GenerateEvent> events = stub.generate(GenerateRequest.newBuilder().setModel("m").setPrompt("go")
                    .setMaxTokens(3000).setIgnoreEos(true).build());
            assertThat(events.next().hasToken()).isTrue();
        } finally {
            context.detach(previous);
            context.cancel(null);
        }
        String id = engine.submitted().stream().filter(r -> r.maxTokens() == 3000).findFirst().orElseThrow().id();
        assertThat(engine.awaitFinished(id, 30, TimeUnit.SECONDS)).isTrue();
        assertThat(engine.stepsAfterCancel(id)).isNotNull().isLessThanOrEqualTo(1);
        assertThat(engine.producedAtCancel(id)).as("cancelled early, not at the end").isLessThan(1000);
    }
}
