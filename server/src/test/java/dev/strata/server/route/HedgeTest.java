package dev.strata.server.route;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.server.backend.Backend;
import dev.strata.server.backend.BackendResult;
import dev.strata.server.backend.ChunkSink;
import dev.strata.server.backend.Failure;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class HedgeTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long SOON = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long NEVER = TimeUnit.SECONDS.toNanos(60);

    private final Hedge hedge = new Hedge(Thread.ofVirtual().factory(), UnaryOperator.identity());

    /** Sends nothing until interrupted (then reports it and fails as cancelled). */
    static final class Stuck implements Backend {
        final CountDownLatch interrupted = new CountDownLatch(1);
        final CountDownLatch called = new CountDownLatch(1);

        @Override
        public String name() {
            return "stuck";
        }

        @Override
        public BackendResult complete(ObjectNode request) {
            called.countDown();
            try {
                new CountDownLatch(1).await();
            } catch (InterruptedException e) {
                interrupted.countDown();
            }
            return BackendResult.Failed.of(Failure.CANCELLED, "interrupted", name());
        }

        @Override
        public BackendResult stream(ObjectNode request, ChunkSink sink) {
            return complete(request);
        }
    }

    /** Answers {@code words} at once, one chunk per word when streamed. */
    record Quick(String name, List<String> words) implements Backend {
        @Override
        public BackendResult complete(ObjectNode request) {
            return new BackendResult.Answered(FakeBackend.ok(String.join("", words)) instanceof
                    BackendResult.Answered a ? a.body() : null, name);
        }

        @Override
        public BackendResult stream(ObjectNode request, ChunkSink sink) {
            for (String w : words) {
                ObjectNode chunk = JSON.createObjectNode();
                chunk.putArray("choices").addObject().putObject("delta").put("content", w);
                if (!sink.accept(chunk)) {
                    return BackendResult.Failed.of(Failure.CANCELLED, "stopped", name);
                }
            }
            return complete(request);
        }
    }

    @Test
    void aSlowFirstAttemptIsHedgedTheSecondWinsAndTheFirstIsStopped() throws Exception {
        Stuck slow = new Stuck();
        Hedge.Outcome o = hedge.run(slow, new Quick("fast", List.of("hi")), SOON, JSON.createObjectNode(), null);
        assertThat(o.hedged()).isTrue();
        assertThat(o.result()).isInstanceOf(BackendResult.Answered.class);
        assertThat(o.result().servedBy()).isEqualTo("fast");
        assertThat(slow.interrupted.await(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void aPromptFirstAttemptIsNeverHedged() throws Exception {
        Stuck never = new Stuck();
        Hedge.Outcome o = hedge.run(new Quick("a", List.of("x")), never, NEVER, JSON.createObjectNode(), null);
        assertThat(o.hedged()).isFalse();
        assertThat(o.result().servedBy()).isEqualTo("a");
        assertThat(never.called.getCount()).isEqualTo(1);
    }

    @Test
    void whileStreamingTheFirstChunkWinsAndOnlyTheWinnerReachesTheClient() throws Exception {
        Stuck slow = new Stuck();
        List<String> client = new CopyOnWriteArrayList<>();
        Hedge.Outcome o = hedge.run(slow, new Quick("fast", List.of("one ", "two")), SOON, JSON.createObjectNode(),
                (from, hedged, chunk) -> client.add(from.name() + ":" + hedged + ":"
                        + chunk.at("/choices/0/delta/content").asText()));
        assertThat(o.hedged()).isTrue();
        assertThat(o.result().servedBy()).isEqualTo("fast");
        assertThat(client).containsExactly("fast:true:one ", "fast:true:two");
        assertThat(slow.interrupted.await(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void whenTheHedgeFailsTheFirstAttemptStillDecides() throws Exception {
        CountDownLatch hedgeFailed = new CountDownLatch(1);
        Backend first = new Backend() {
            @Override
            public String name() {
                return "first";
            }

            @Override
            public BackendResult complete(ObjectNode request) {
                try {
                    hedgeFailed.await();
                } catch (InterruptedException e) {
                    return BackendResult.Failed.of(Failure.CANCELLED, "interrupted", name());
                }
                return new Quick("first", List.of("late")).complete(request);
            }

            @Override
            public BackendResult stream(ObjectNode request, ChunkSink sink) {
                return complete(request);
            }
        };
        Backend failing = new Backend() {
            @Override
            public String name() {
                return "second";
            }

            @Override
            public BackendResult complete(ObjectNode request) {
                hedgeFailed.countDown();
                return BackendResult.Failed.of(Failure.SERVER_ERROR, "boom", name());
            }

            @Override
            public BackendResult stream(ObjectNode request, ChunkSink sink) {
                return complete(request);
            }
        };
        Hedge.Outcome o = hedge.run(first, failing, SOON, JSON.createObjectNode(), null);
        assertThat(o.hedged()).isTrue();
        assertThat(o.result().servedBy()).isEqualTo("first");
        assertThat(o.result()).isInstanceOf(BackendResult.Answered.class);
    }
}
