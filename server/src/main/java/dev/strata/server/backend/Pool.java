package dev.strata.server.backend;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * Replicas of one model behind one name. Each call goes to one replica:
 * <ul>
 * <li>with prefix affinity, the replica that rendezvous-hashing (Thaler & Ravishankar, 1998) picks for
 *     a hash of the conversation's first messages, so that replica's prefix cache is reused — unless
 *     it is {@code affinitySlack} requests busier than the least busy one;</li>
 * <li>otherwise the one with the fewest requests outstanding (ties: rotating).</li>
 * </ul>
 * A replica that fails {@code ejectAfterFailures} times in a row, or fails its active health check,
 * is left out for {@code ejectNanos} (outlier ejection as in Envoy). When every replica is out, all
 * are tried anyway: a pool never refuses on its own.
 */
public final class Pool implements Backend {
    private final String name;
    private final List<Replica> replicas;
    private final PoolPolicy policy;
    private final LongSupplier nanoClock;
    private final AtomicInteger rotation = new AtomicInteger();

    /** @param nanoClock {@link System#nanoTime} in production, a fake in tests */
    public Pool(String name, List<Backend> replicas, PoolPolicy policy, LongSupplier nanoClock) {
        if (replicas.isEmpty()) {
            throw new IllegalArgumentException("pool " + name + " has no replicas");
        }
        this.name = name;
        this.replicas = replicas.stream().map(Replica::new).toList();
        this.policy = policy;
        this.nanoClock = nanoClock;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public BackendResult complete(ObjectNode request) {
        Replica r = choose(request);
        r.outstanding.incrementAndGet();
        try {
            return served(r, r.backend.complete(request));
        } finally {
            r.outstanding.decrementAndGet();
        }
    }

    @Override
    public BackendResult stream(ObjectNode request, ChunkSink sink) {
        Replica r = choose(request);
        r.outstanding.incrementAndGet();
        try {
            return served(r, r.backend.stream(request, sink));
        } finally {
            r.outstanding.decrementAndGet();
        }
    }

    /** True when any replica is healthy and not ejected. */
    @Override
    public boolean probe() {
        return replicas.stream().anyMatch(this::available);
    }

    /** Runs every replica's active health check once; called periodically by the routing's scheduler. */
    public void checkHealth() {
        for (Replica r : replicas) {
            boolean healthy = r.backend.probe();
            synchronized (r) {
                if (healthy) {
                    if (r.failedProbe) {
                        r.failedProbe = false;
                        r.ejectedUntilNanos = 0;
                        r.consecutiveFailures = 0;
                    }
                } else {
                    r.failedProbe = true;
                    r.ejectedUntilNanos = nanoClock.getAsLong() + policy.ejectNanos();
                }
            }
        }
    }

    /** Replica names that are currently available, for the admin view and tests. */
    public List<String> available() {
        return replicas.stream().filter(this::available).map(r -> r.backend.name()).toList();
    }

    /** Outstanding requests per replica, in configuration order. */
    public List<Integer> outstanding() {
        return replicas.stream().map(r -> r.outstanding.get()).toList();
    }

    Replica choose(ObjectNode request) {
        List<Replica> candidates = new ArrayList<>(replicas.size());
        for (Replica r : replicas) {
            if (available(r)) {
                candidates.add(r);
            }
        }
        if (candidates.isEmpty()) {
            candidates.addAll(replicas);
        }
        Replica least = leastOutstanding(candidates);
        long key = affinityKey(request);
        if (key != 0) {
            Replica best = null;
            long bestScore = Long.MIN_VALUE;
            for (Replica r : candidates) {
                long score = mix(key ^ r.nameHash);
                if (best == null || score > bestScore) {
                    best = r;
                    bestScore = score;
                }
            }
            if (best.outstanding.get() - least.outstanding.get() <= policy.affinitySlack()) {
                return best;
            }
        }
        return least;
    }

    private Replica leastOutstanding(List<Replica> candidates) {
        int start = Math.floorMod(rotation.getAndIncrement(), candidates.size());
        Replica least = null;
        for (int i = 0; i < candidates.size(); i++) {
            Replica r = candidates.get((start + i) % candidates.size());
            if (least == null || r.outstanding.get() < least.outstanding.get()) {
                least = r;
            }
        }
        return least;
    }

    /** A hash of the first {@code affinityMessages} messages (role and content), 0 when affinity is off. */
    long affinityKey(ObjectNode request) {
        if (policy.affinityMessages() == 0 || !request.path("messages").isArray()) {
            return 0;
        }
        long h = 0xcbf29ce484222325L;
        int n = 0;
        for (JsonNode m : request.get("messages")) {
            if (n++ == policy.affinityMessages()) {
                break;
            }
            for (byte b : (m.path("role").asText() + "\u0000" + m.path("content").toString() + "\u0001")
                    .getBytes(StandardCharsets.UTF_8)) {
                h = (h ^ (b & 0xff)) * 0x100000001b3L;
            }
        }
        return h == 0 ? 1 : h;
    }

    private boolean available(Replica r) {
        synchronized (r) {
            return r.ejectedUntilNanos == 0 || nanoClock.getAsLong() - r.ejectedUntilNanos >= 0;
        }
    }

    private BackendResult served(Replica r, BackendResult result) {
        boolean failed = result instanceof BackendResult.Failed f && switch (f.failure()) {
            case CONNECT, TIMEOUT, SERVER_ERROR, DROPPED -> true;
            case RATE_LIMITED, SATURATED, CIRCUIT_OPEN, CLIENT_ERROR, CANCELLED -> false;
        };
        synchronized (r) {
            if (failed) {
                if (++r.consecutiveFailures >= policy.ejectAfterFailures()) {
                    r.ejectedUntilNanos = nanoClock.getAsLong() + policy.ejectNanos();
                    r.consecutiveFailures = 0;
                }
            } else if (result instanceof BackendResult.Answered) {
                r.consecutiveFailures = 0;
            }
        }
        String by = name + "/" + result.servedBy();
        return switch (result) {
            case BackendResult.Answered a -> new BackendResult.Answered(a.body(), by);
            case BackendResult.Failed f -> new BackendResult.Failed(f.failure(), f.status(), f.message(),
                    f.retryAfterMillis(), f.streamStarted(), by);
        };
    }

    /** SplitMix64's finalizer: spreads a 64-bit key. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    static final class Replica {
        final Backend backend;
        final long nameHash;
        final AtomicInteger outstanding = new AtomicInteger();
        int consecutiveFailures;
        long ejectedUntilNanos;
        boolean failedProbe;

        Replica(Backend backend) {
            this.backend = backend;
            this.nameHash = mix(backend.name().hashCode() * 0x9e3779b97f4a7c15L);
        }
    }
}
