package dev.strata.engine.kv;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class KvCacheManagerTest {
    private final BlockPool pool = new BlockPool(8, 4, 1, 2, 2);
    private final KvCacheManager kv = new KvCacheManager(pool);

    private static int[] tokens(int n, int seed) {
        int[] t = new int[n];
        for (int i = 0; i < n; i++) {
            t[i] = seed * 1000 + i;
        }
        return t;
    }

    @Test
    void allocatesWholeBlocksAllOrNothing() {
        PagedKvCache c = kv.newCache();
        assertThat(kv.allocateSlots(c, 0, 9, ComputedBlocks.NONE)).isTrue();
        assertThat(c.numBlocks()).isEqualTo(3);
        assertThat(c.capacity()).isEqualTo(12);
        assertThat(kv.allocateSlots(c, 9, 3, ComputedBlocks.NONE)).isTrue(); // fits the last block
        assertThat(c.numBlocks()).isEqualTo(3);
        assertThat(kv.allocateSlots(c, 12, 21, ComputedBlocks.NONE)).isFalse(); // needs 6 more, 5 free
        assertThat(c.numBlocks()).isEqualTo(3);
        assertThat(pool.numFreeBlocks()).isEqualTo(5);
        c.release();
        c.release();
        assertThat(pool.numFreeBlocks()).isEqualTo(8);
    }

    @Test
    void slotsFollowTheBlockTable() {
        PagedKvCache other = kv.newCache();
        kv.allocateSlots(other, 0, 4, ComputedBlocks.NONE);
        PagedKvCache c = kv.newCache();
        kv.allocateSlots(c, 0, 6, ComputedBlocks.NONE);
        assertThat(c.slot(0)).isEqualTo(c.blockId(0) * 4);
        assertThat(c.slot(5)).isEqualTo(c.blockId(1) * 4 + 1);
        assertThat(c.blockId(0)).isNotEqualTo(other.blockId(0));
        assertThat(c.keys(0)).isSameAs(other.keys(0));
    }

    @Test
    void aPrefixHitSharesFullBlocksAndLeavesOneTokenToCompute() {
        int[] prompt = tokens(10, 1);
        PagedKvCache a = kv.newCache();
        assertThat(kv.computedBlocks(prompt, 10).numTokens()).isZero();
        kv.allocateSlots(a, 0, 10, ComputedBlocks.NONE);
        kv.cacheFullBlocks(a, prompt, 10);

        PagedKvCache b = kv.newCache();
        ComputedBlocks hit = kv.computedBlocks(prompt, 10);
        assertThat(hit.numTokens()).isEqualTo(8);
        assertThat(kv.allocateSlots(b, 0, 2, hit)).isTrue();
        assertThat(b.blockId(0)).isEqualTo(a.blockId(0));
        assertThat(b.blockId(1)).isEqualTo(a.blockId(1));
        assertThat(b.blockId(2)).isNotEqualTo(a.blockId(2)); // the partial block is private
        assertThat(kv.prefixQueries()).isEqualTo(10);
        assertThat(kv.prefixHits()).isEqualTo(8);

        int[] exact = tokens(8, 1);
        assertThat(kv.computedBlocks(exact, 8).numTokens()).isEqualTo(4); // never the whole prompt
        int[] diverging = tokens(10, 1);
        diverging[5] = -1;
        assertThat(kv.computedBlocks(diverging, 10).numTokens()).isEqualTo(4);
        a.release();
        b.release();
        assertThat(pool.numFreeBlocks()).isEqualTo(8);
    }

    @Test
    void unreferencedCachedBlocksSurviveUntilMemoryIsNeeded() {
        int[] prompt = tokens(9, 2);
        PagedKvCache a = kv.newCache();
        kv.allocateSlots(a, 0, 9, ComputedBlocks.NONE);
        kv.cacheFullBlocks(a, prompt, 9);
        a.release();
        assertThat(pool.numCachedBlocks()).isEqualTo(2);

        assertThat(kv.computedBlocks(prompt, 9).numTokens()).isEqualTo(8);
        // 7 blocks: the 5 never used, the uncached partial block, then the least recently freed cached one
        assertThat(pool.numEvictedBlocks()).isZero();
        assertThat(kv.allocateSlots(kv.newCache(), 0, 25, ComputedBlocks.NONE)).isTrue();
        assertThat(pool.numCachedBlocks()).isEqualTo(1);
        assertThat(pool.numEvictedBlocks()).isEqualTo(1);
        ComputedBlocks hit = kv.computedBlocks(prompt, 9);
        assertThat(hit.numTokens()).isEqualTo(4); // the first block survived: it was freed last
        assertThat(kv.allocateSlots(kv.newCache(), 0, 1, hit)).isFalse(); // 1 revived + 1 new > 1 free
        assertThat(pool.numFreeBlocks()).isEqualTo(1);
    }

    @Test
    void revivedBlocksCountAgainstFreeSpace() {
        int[] prompt = tokens(9, 3);
        PagedKvCache a = kv.newCache();
        kv.allocateSlots(a, 0, 9, ComputedBlocks.NONE);
        kv.cacheFullBlocks(a, prompt, 9);
        a.release();
        PagedKvCache filler = kv.newCache();
        assertThat(kv.allocateSlots(filler, 0, 20, ComputedBlocks.NONE)).isTrue(); // 5 blocks: 3 free left, 2 cached
        ComputedBlocks hit = kv.computedBlocks(prompt, 9);
        assertThat(hit.numTokens()).isEqualTo(8);
        PagedKvCache b = kv.newCache();
        assertThat(kv.allocateSlots(b, 0, 5, hit)).isFalse(); // 2 revived + 2 new > 3 free
        assertThat(kv.allocateSlots(b, 0, 1, hit)).isTrue(); // 2 revived + 1 new
        assertThat(pool.numFreeBlocks()).isZero();
    }
}
