package dev.strata.server.backend;

/**
 * How a {@link Pool} balances and protects its replicas.
 *
 * @param affinityMessages   hash this many leading messages for prefix affinity; 0 turns affinity off
 * @param affinitySlack      affinity yields to least-outstanding when its replica has more than this many
 *                           requests beyond the least busy one
 * @param ejectAfterFailures consecutive failures that eject a replica (outlier detection)
 * @param ejectNanos         how long an ejected replica stays out
 */
public record PoolPolicy(int affinityMessages, int affinitySlack, int ejectAfterFailures, long ejectNanos) {
    public static final PoolPolicy DEFAULTS = new PoolPolicy(2, 4, 3, 30_000_000_000L);

    public PoolPolicy {
        if (affinityMessages < 0 || affinitySlack < 0 || ejectAfterFailures < 1 || ejectNanos < 0) {
            throw new IllegalArgumentException("pool policy out of range: affinity_messages " + affinityMessages
                    + ", affinity_slack " + affinitySlack + ", eject_after_failures " + ejectAfterFailures
                    + ", eject_ms " + ejectNanos / 1_000_000);
        }
    }
}
