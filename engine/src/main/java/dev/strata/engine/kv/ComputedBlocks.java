package dev.strata.engine.kv;

import java.util.List;

/**
 * The answer to "what prefix of these tokens is cached?": the cached full blocks, in order, and their
 * hashes. Opaque to the scheduler, which only reads {@link #numTokens} and passes the value back to
 * {@link KvCacheManager#allocateSlots} (vLLM v1's {@code KVCacheBlocks}).
 */
public final class ComputedBlocks {
    /** No cached prefix. */
    public static final ComputedBlocks NONE = new ComputedBlocks(List.of(), new long[0], 0, 0);

    final List<KvBlock> blocks;
    final long[] hashes;
    private final int numTokens;
    private final int numQueriedTokens;

    ComputedBlocks(List<KvBlock> blocks, long[] hashes, int numTokens, int numQueriedTokens) {
        this.blocks = blocks;
        this.hashes = hashes;
        this.numTokens = numTokens;
        this.numQueriedTokens = numQueriedTokens;
    }

    /** Tokens of the prefix found cached (a multiple of the block size). */
    public int numTokens() {
        return numTokens;
    }

    /** Tokens that were looked up (for hit-rate statistics). */
    public int numQueriedTokens() {
        return numQueriedTokens;
    }
}
