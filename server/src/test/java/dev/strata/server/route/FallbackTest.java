package dev.strata.server.route;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.server.backend.Backend;
import dev.strata.server.backend.BackendResult;
import dev.strata.server.backend.Failure;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

class FallbackTest {
    private static final ObjectNode REQUEST = new ObjectMapper().createObjectNode();
    private static final BackendResult.Failed FAIL = BackendResult.Failed.of(Failure.SERVER_ERROR, "boom", "x");

    /** A clock tests move by hand. */
    static final class MutableClock extends Clock {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    private final MutableClock clock = new MutableClock();
    private final List<Long> sleeps = new ArrayList<>();
    private final Breakers breakers = new Breakers(new RoutesConfig.BreakerSpec(50, 4, 4, 10_000, 1), clock);
    private final Fallback fallback = new Fallback(breakers, sleeps::add, RandomGenerator.of("L64X128MixRandom"),
            () -> 0L);

    private Fallback.Outcome run(List<Backend> chain, RoutesConfig.RetrySpec retry) throws InterruptedException {
        return fallback.run(chain, retry, new RetryBudget(retry.budgetRatio(), retry.budgetMinRetries()),
                b -> b.complete(REQUEST));
    }

    @Test
    void fallsBackDownTheChainWithBackoff() throws Exception {
        FakeBackend a = new FakeBackend("a").then(FAIL);
        FakeBackend b = new FakeBackend("b");
        Fallback.Outcome o = run(List.of(a, b), RoutesConfig.RetrySpec.DEFAULTS);
        assertThat(o.result()).isInstanceOf(BackendResult.Answered.class);
        assertThat(o.trail()).containsExactly("a:server_error", "b:ok");
        assertThat(sleeps).hasSize(1);
        assertThat(sleeps.getFirst()).isBetween(50L, 100L); // equal jitter over the first 100 ms backoff
    }

    @Test
    void retriesTheSameTargetHonouringRetryAfter() throws Exception {
        FakeBackend a = new FakeBackend("a").then(new BackendResult.Failed(Failure.RATE_LIMITED, 429, "slow down",
                700, false, "a"));
        RoutesConfig.RetrySpec retry = new RoutesConfig.RetrySpec(3, 1, 100, 2_000, 10_000, 0.2, 10);
        Fallback.Outcome o = run(List.of(a), retry);
        assertThat(o.trail()).containsExactly("a:rate_limited", "a:ok");
        assertThat(sleeps.getFirst()).isEqualTo(700L);
    }

    @Test
    void clientErrorsAndStartedStreamsAreNeverRetried() throws Exception {
        FakeBackend a = new FakeBackend("a").then(BackendResult.Failed.of(Failure.CLIENT_ERROR, "bad", "a"));
        FakeBackend b = new FakeBackend("b");
        assertThat(run(List.of(a, b), RoutesConfig.RetrySpec.DEFAULTS).trail()).containsExactly("a:client_error");
        FakeBackend c = new FakeBackend("c").then(FAIL.afterStreamStarted());
        assertThat(run(List.of(c, b), RoutesConfig.RetrySpec.DEFAULTS).trail()).containsExactly("c:server_error");
        assertThat(b.calls).isZero();
    }

    @Test
    void retryBudgetCapsRetries() throws Exception {
        RoutesConfig.RetrySpec retry = new RoutesConfig.RetrySpec(3, 0, 1, 1, 10_000, 0.0, 1);
        RetryBudget budget = new RetryBudget(0.0, 1);
        FakeBackend a = new FakeBackend("a").always(FAIL);
        FakeBackend b = new FakeBackend("b").always(FAIL);
        FakeBackend c = new FakeBackend("c");
        Fallback.Outcome first = fallback.run(List.of(a, b, c), retry, budget, x -> x.complete(REQUEST));
        assertThat(first.trail()).containsExactly("a:server_error", "b:server_error", "c:retry_budget_exhausted");
    }

    @Test
    void breakerOpensSkipsTheTargetThenHalfOpensAndCloses() throws Exception {
        FakeBackend a = new FakeBackend("a").always(FAIL);
        FakeBackend b = new FakeBackend("b");
        RoutesConfig.RetrySpec retry = new RoutesConfig.RetrySpec(2, 0, 1, 1, 10_000, 10, 100);
        for (int i = 0; i < 4; i++) {
            run(List.of(a, b), retry);
        }
        assertThat(breakers.states()).containsEntry("a", "OPEN");
        assertThat(run(List.of(a, b), retry).trail()).containsExactly("a:circuit_open", "b:ok");
        assertThat(a.calls).isEqualTo(4);

        clock.now = clock.now.plusSeconds(11); // past open_ms: one trial call is let through
        a.always(FakeBackend.ok("a"));
        assertThat(run(List.of(a, b), retry).trail()).containsExactly("a:ok");
        assertThat(breakers.states()).containsEntry("a", "CLOSED");
    }
}
