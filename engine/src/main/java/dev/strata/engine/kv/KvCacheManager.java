package dev.strata.engine.kv;

import java.util.ArrayList;
import java.util.List;

/**
 * Answers the scheduler's three questions about KV memory, as vLLM v1's {@code KVCacheManager}
 * does: "which prefix of these tokens is cached?" ({@link #computedBlocks}), "is there room for N
 * more tokens?" ({@link #allocateSlots}, false when not: no room is a value, never an exception)
 * and "this sequence is done" ({@link #free}). It never decides who runs.
 *
 * <p><b>Prefix caching.</b> A full block is identified by a 64-bit hash of its tokens chained with
 * the hash of the block before it, so one hash names the whole prefix up to the block's end. Once a
 * block's rows are computed ({@link #cacheFullBlocks}) the pool maps that hash to it; a later
 * sequence with the same prefix takes the same blocks (reference counted) and computes only the
 * rest. At least one token is always left to compute, so the last step yields logits. Two different
 * prefixes share a hash with probability about 2<sup>-64</sup> per pair, which we accept (vLLM's
 * default hash makes the same trade).
 */
public final class KvCacheManager {
    private final BlockPool pool;
    private long prefixQueries;
    private long prefixHits;

    public KvCacheManager(BlockPool pool) {
        this.pool = pool;
    }

    public BlockPool pool() {
        return pool;
    }

    /** A new, empty cache for one sequence. */
    public PagedKvCache newCache() {
        return new PagedKvCache(this, pool);
    }

    /**
     * The longest cached prefix of {@code tokens[0, numTokens)} in whole blocks, never all
     * {@code numTokens} (one is left to compute). The blocks are taken by {@link #allocateSlots}.
     * With a {@link PrefixStore}, a prefix that continues past what the pool holds is read back
     * from the store into free blocks (which then stay cached, unreferenced); otherwise nothing is
     * touched.
     */
    public ComputedBlocks computedBlocks(int[] tokens, int numTokens) {
        int bs = pool.blockSize();
        int maxBlocks = (numTokens - 1) / bs;
        if (maxBlocks <= 0) {
            return new ComputedBlocks(List.of(), new long[0], 0, numTokens);
        }
        List<KvBlock> hits = new ArrayList<>();
        long[] hashes = new long[maxBlocks];
        long parent = 0;
        boolean pinning = false; // once a block is loaded, every hit is referenced so later loads cannot evict it
        for (int b = 0; b < maxBlocks; b++) {
            long h = blockHash(parent, tokens, b * bs, bs);
            KvBlock block = pool.cachedBlock(h);
            if (block != null && pinning) {
                pool.touch(block);
            } else if (block == null && pool.hasStore() && pool.storeHas(h)) {
                if (!pinning) {
                    pinning = true;
                    for (KvBlock hit : hits) {
                        pool.touch(hit);
                    }
                }
                block = pool.loadFromStore(h); // referenced once until the loop ends
            }
            if (block == null) {
                break;
            }
            hashes[b] = h;
            hits.add(block);
            parent = h;
        }
        if (pinning) {
            for (int i = hits.size() - 1; i >= 0; i--) {
                pool.free(hits.get(i)); // last block first, as free(cache) does
            }
        }
        return new ComputedBlocks(hits, hashes, hits.size() * bs, numTokens);
    }

    /**
     * Makes room in {@code cache} for {@code numNewTokens} more tokens after its
     * {@code numComputedTokens} computed ones, first taking the blocks of {@code computed} (a prefix
     * hit, only for a cache that holds nothing yet). All or nothing.
     *
     * @return false when the pool has too few free blocks; nothing changed then
     */
    public boolean allocateSlots(PagedKvCache cache, int numComputedTokens, int numNewTokens, ComputedBlocks computed) {
        if (!computed.blocks.isEmpty() && cache.numBlocks != 0) {
            throw new IllegalArgumentException("a prefix hit can only start an empty cache");
        }
        int bs = pool.blockSize();
        int total = numComputedTokens + computed.numTokens() + numNewTokens;
        int needed = (total + bs - 1) / bs - cache.numBlocks - computed.blocks.size();
        int revived = 0;
        for (KvBlock b : computed.blocks) {
            if (b.refCount == 0) {
                revived++;
            }
        }
        if (Math.max(needed, 0) + revived > pool.numFreeBlocks()) {
            return false;
        }
        for (int i = 0; i < computed.blocks.size(); i++) {
            KvBlock b = computed.blocks.get(i);
            pool.touch(b);
            cache.append(b);
            cache.appendHash(computed.hashes[i]);
        }
        if (computed.numQueriedTokens() > 0) {
            prefixQueries += computed.numQueriedTokens();
            prefixHits += computed.numTokens();
        }
        for (int i = 0; i < needed; i++) {
            cache.append(pool.allocate());
        }
        return true;
    }

    /**
     * Registers the full blocks among the first {@code numComputedTokens} of {@code tokens} (whose K/V
     * rows are now written) in the prefix cache. Called after each successful forward pass.
     */
    public void cacheFullBlocks(PagedKvCache cache, int[] tokens, int numComputedTokens) {
        int bs = pool.blockSize();
        int full = Math.min(numComputedTokens / bs, cache.numBlocks);
        for (int b = cache.numHashed; b < full; b++) {
            long parent = b == 0 ? 0 : cache.hashes[b - 1];
            long h = blockHash(parent, tokens, b * bs, bs);
            cache.appendHash(h);
            pool.cache(cache.table[b], h);
        }
    }

    /** Gives all of {@code cache}'s blocks back, last block first (so it is evicted first). Idempotent. */
    public void free(PagedKvCache cache) {
        for (int i = cache.numBlocks - 1; i >= 0; i--) {
            pool.free(cache.table[i]);
            cache.table[i] = null;
        }
        cache.numBlocks = 0;
        cache.numHashed = 0;
    }

    /** Blocks {@code numTokens} tokens occupy. */
    public int blocksFor(long numTokens) {
        return (int) Math.min(Integer.MAX_VALUE, (numTokens + pool.blockSize() - 1) / pool.blockSize());
    }

    /** Cumulative prompt tokens looked up in the prefix cache by admitted sequences. */
    public long prefixQueries() {
        return prefixQueries;
    }

    /** Cumulative of those, tokens found cached. */
    public long prefixHits() {
        return prefixHits;
    }

    /** Chained hash of {@code tokens[from, from + length)} after the prefix hashed {@code parent}; never 0. */
    static long blockHash(long parent, int[] tokens, int from, int length) {
        long h = parent ^ 0x9E3779B97F4A7C15L;
        for (int i = from; i < from + length; i++) {
            h = mix(h + tokens[i] * 0xC2B2AE3D27D4EB4FL);
        }
        h = mix(h ^ length);
        return h == 0 ? 1 : h;
    }

    /** MurmurHash3's 64-bit finalizer. */
    private static long mix(long z) {
        z = (z ^ (z >>> 33)) * 0xFF51AFD7ED558CCDL;
        z = (z ^ (z >>> 33)) * 0xC4CEB9FE1A85EC53L;
        return z ^ (z >>> 33);
    }
}
