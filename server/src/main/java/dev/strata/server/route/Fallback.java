package dev.strata.server.route;

import dev.strata.server.GatewayException;
import dev.strata.server.backend.Backend;
import dev.strata.server.backend.BackendResult;
import dev.strata.server.backend.Failure;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;

/**
 * Runs one call down a fallback chain. Each target is tried {@code 1 + retries_per_target} times, at
 * most {@code max_attempts} in all, each retry paid from the {@link RetryBudget}. Before a retry it
 * waits an exponential backoff with equal jitter ({@code d/2 + rand(d/2)}, {@code d = backoff·2^k}
 * capped); before retrying the same upstream it also waits out its {@code Retry-After} (or moves on
 * when that is longer than {@code max_retry_after_ms}). A target whose breaker is open, or that is
 * still cooling down after a 429, is skipped without an attempt. Nothing is retried once a chunk was
 * streamed, nor after a client error.
 */
final class Fallback {
    /** The answer or last failure, and a trail like {@code ["a:rate_limited", "b:ok"]}. */
    record Outcome(BackendResult result, List<String> trail) {}

    private final Breakers breakers;
    private final Sleeper sleeper;
    private final RandomGenerator random;
    private final LongSupplier nanoClock;
    private final UpstreamListener listener;

    Fallback(Breakers breakers, Sleeper sleeper, RandomGenerator random, LongSupplier nanoClock) {
        this(breakers, sleeper, random, nanoClock, UpstreamListener.NONE);
    }

    /** @param listener hears each attempt's outcome and duration */
    Fallback(Breakers breakers, Sleeper sleeper, RandomGenerator random, LongSupplier nanoClock,
            UpstreamListener listener) {
        this.listener = listener;
        this.breakers = breakers;
        this.sleeper = sleeper;
        this.random = random;
        this.nanoClock = nanoClock;
    }

    Outcome run(List<Backend> chain, RoutesConfig.RetrySpec retry, RetryBudget budget,
            Function<Backend, BackendResult> attempt) throws InterruptedException {
        budget.onRequest();
        List<String> trail = new ArrayList<>();
        BackendResult last = null;
        int attempts = 0;
        for (Backend target : chain) {
            for (int tryIndex = 0; tryIndex <= retry.retriesPerTarget(); tryIndex++) {
                if (attempts >= retry.maxAttempts()) {
                    return new Outcome(last, trail);
                }
                CircuitBreaker breaker = breakers.of(target.name());
                if (breakers.coolingDown(target.name())) {
                    trail.add(target.name() + ":cooling_down");
                    last = last != null ? last : BackendResult.Failed.of(Failure.RATE_LIMITED,
                            "upstream " + target.name() + " asked to retry later", target.name());
                    break;
                }
                if (!breaker.tryAcquirePermission()) {
                    trail.add(target.name() + ":circuit_open");
                    last = last != null ? last : BackendResult.Failed.of(Failure.CIRCUIT_OPEN,
                            "circuit breaker of " + target.name() + " is open", target.name());
                    break;
                }
                if (attempts > 0) {
                    if (!budget.tryRetry()) {
                        breaker.releasePermission();
                        trail.add(target.name() + ":retry_budget_exhausted");
                        return new Outcome(last, trail);
                    }
                    sleeper.sleep(backoffMillis(retry, attempts));
                }
                long start = nanoClock.getAsLong();
                BackendResult result = attempt.apply(target);
                attempts++;
                long took = nanoClock.getAsLong() - start;
                switch (result) {
                    case BackendResult.Answered a -> {
                        breaker.onSuccess(took, TimeUnit.NANOSECONDS);
                        listener.attempted(target.name(), "ok", took);
                        trail.add(target.name() + ":ok");
                        return new Outcome(a, trail);
                    }
                    case BackendResult.Failed f -> {
                        record(breaker, f, took);
                        String outcome = f.failure().name().toLowerCase(java.util.Locale.ROOT);
                        listener.attempted(target.name(), outcome, took);
                        trail.add(target.name() + ":" + outcome);
                        last = f;
                        if (f.streamStarted() || !f.failure().retryable()) {
                            return new Outcome(f, trail);
                        }
                        if (f.retryAfterMillis() > 0) {
                            if (tryIndex < retry.retriesPerTarget()
                                    && f.retryAfterMillis() <= retry.maxRetryAfterMillis()) {
                                sleeper.sleep(f.retryAfterMillis());
                            } else {
                                breakers.coolDown(target.name(), f.retryAfterMillis());
                                tryIndex = retry.retriesPerTarget(); // move on to the next target
                            }
                        }
                    }
                }
            }
        }
        return new Outcome(last, trail);
    }

    private static void record(CircuitBreaker breaker, BackendResult.Failed f, long tookNanos) {
        switch (f.failure()) {
            case CLIENT_ERROR -> breaker.onSuccess(tookNanos, TimeUnit.NANOSECONDS); // the upstream is fine
            case CANCELLED -> breaker.releasePermission();
            default -> breaker.onError(tookNanos, TimeUnit.NANOSECONDS,
                    new GatewayException.GenerationFailed(f.message(), null));
        }
    }

    long backoffMillis(RoutesConfig.RetrySpec retry, int retryNumber) {
        long d = retry.backoffMillis() << Math.min(20, retryNumber - 1);
        d = Math.min(d, retry.maxBackoffMillis());
        if (d <= 1) {
            return d;
        }
        return d / 2 + random.nextLong(d / 2 + 1);
    }
}
