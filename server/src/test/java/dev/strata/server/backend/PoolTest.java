package dev.strata.server.backend;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class PoolTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Answers or fails as told; healthy or not as told. */
    static final class Replica implements Backend {
        final String name;
        boolean failing;
        boolean healthy = true;
        int calls;

        Replica(String name) {
            this.name = name;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public BackendResult complete(ObjectNode request) {
            calls++;
            return failing ? BackendResult.Failed.of(Failure.SERVER_ERROR, "down", name)
                    : new BackendResult.Answered(JSON.createObjectNode(), name);
        }

        @Override
        public BackendResult stream(ObjectNode request, ChunkSink sink) {
            return complete(request);
        }

        @Override
        public boolean probe() {
            return healthy;
        }
    }

    private static ObjectNode conversation(String first) {
        ObjectNode r = JSON.createObjectNode();
        r.putArray("messages").addObject().put("role", "user").put("content", first);
        return r;
    }

    private final AtomicLong now = new AtomicLong();
    private final Replica a = new Replica("a");
    private final Replica b = new Replica("b");
    private final Replica c = new Replica("c");

    @Test
    void affinityKeepsAConversationOnOneReplicaAndSpreadsConversations() {
        Pool pool = new Pool("p", List.of(a, b, c), PoolPolicy.DEFAULTS, now::get);
        Set<String> used = new HashSet<>();
        for (int i = 0; i < 30; i++) {
            String first = pool.complete(conversation("conversation " + i)).servedBy();
            assertThat(pool.complete(conversation("conversation " + i)).servedBy()).isEqualTo(first);
            used.add(first);
        }
        assertThat(used).containsExactlyInAnyOrder("p/a", "p/b", "p/c");
    }

    @Test
    void leastOutstandingWithoutAffinity() {
        Pool pool = new Pool("p", List.of(a, b), new PoolPolicy(0, 0, 3, 1_000), now::get);
        Pool.Replica first = pool.choose(conversation("x"));
        first.outstanding.incrementAndGet();
        Pool.Replica second = pool.choose(conversation("x"));
        assertThat(second).isNotSameAs(first);
    }

    @Test
    void ejectsAnOutlierAndTakesItBackAfterTheEjectionTime() {
        Pool pool = new Pool("p", List.of(a, b), new PoolPolicy(0, 0, 2, 1_000), now::get);
        a.failing = true;
        for (int i = 0; i < 6; i++) {
            pool.complete(conversation("x"));
        }
        assertThat(pool.available()).containsExactly("b");
        int callsWhileEjected = a.calls;
        for (int i = 0; i < 5; i++) {
            assertThat(pool.complete(conversation("x")).servedBy()).isEqualTo("p/b");
        }
        assertThat(a.calls).isEqualTo(callsWhileEjected);
        now.addAndGet(1_000);
        assertThat(pool.available()).containsExactly("a", "b");
    }

    @Test
    void activeHealthChecksEjectAndRestore() {
        Pool pool = new Pool("p", List.of(a, b), PoolPolicy.DEFAULTS, now::get);
        b.healthy = false;
        pool.checkHealth();
        assertThat(pool.available()).containsExactly("a");
        b.healthy = true;
        pool.checkHealth();
        assertThat(pool.available()).containsExactly("a", "b");
        a.healthy = false;
        b.healthy = false;
        pool.checkHealth();
        assertThat(pool.probe()).isFalse();
        assertThat(pool.complete(conversation("x"))).isInstanceOf(BackendResult.Answered.class); // panic: try all
    }
}
