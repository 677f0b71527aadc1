package dev.strata.engine.generate;

/**
 * What an engine is doing, as of its last step: read by metrics exporters (a gauge per field, or a
 * counter for the cumulative ones), never by the engine itself.
 *
 * @param numRunning         sequences holding KV memory and stepped together
 * @param numWaiting         requests queued for a free sequence slot
 * @param kvCacheUsage       fraction in [0, 1] of the KV capacity ({@code maxSequences} times the
 *                           context) that running sequences hold
 * @param numPreemptions     cumulative: sequences evicted to make room and requeued
 * @param prefixCacheQueries cumulative: prompt tokens looked up in the prefix cache
 * @param prefixCacheHits    cumulative: of those, tokens found cached
 * @param prefixCacheEvictions cumulative: cached blocks reused for other tokens, their prefix forgotten
 */
public record EngineStats(int numRunning, int numWaiting, double kvCacheUsage, long numPreemptions,
        long prefixCacheQueries, long prefixCacheHits, long prefixCacheEvictions) {

    /** An engine with nothing to report (a remote backend, or one not started). */
    public static final EngineStats IDLE = new EngineStats(0, 0, 0, 0, 0, 0, 0);

    /** Stats of an engine without prefix-cache evictions to report. */
    public EngineStats(int numRunning, int numWaiting, double kvCacheUsage, long numPreemptions,
            long prefixCacheQueries, long prefixCacheHits) {
        this(numRunning, numWaiting, kvCacheUsage, numPreemptions, prefixCacheQueries, prefixCacheHits, 0);
    }

    public EngineStats {
        if (numRunning < 0 || numWaiting < 0 || numPreemptions < 0 || prefixCacheQueries < 0 || prefixCacheHits < 0
                || prefixCacheEvictions < 0) {
            throw new IllegalArgumentException("counts must be >= 0");
        }
        if (!(kvCacheUsage >= 0 && kvCacheUsage <= 1)) {
            throw new IllegalArgumentException("kvCacheUsage must be in [0, 1], got " + kvCacheUsage);
        }
        if (prefixCacheHits > prefixCacheQueries) {
            throw new IllegalArgumentException("prefixCacheHits must be <= prefixCacheQueries");
        }
    }
}
