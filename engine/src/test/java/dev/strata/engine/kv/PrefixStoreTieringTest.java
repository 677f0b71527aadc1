package dev.strata.engine.kv;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The pool and the manager with a second cache level ({@link PrefixStore}): evicted cached blocks
 * are written to it, and a prefix that continues past the pool is read back, bit for bit.
 */
class PrefixStoreTieringTest {

    /** A store in a map, counting reads. */
    static final class MapStore implements PrefixStore {
        final Map<Long, byte[]> blocks = new HashMap<>();
        int reads;

        @Override
        public boolean contains(long hash) {
            return blocks.containsKey(hash);
        }

        @Override
        public boolean read(long hash, ByteBuffer dst) {
            byte[] b = blocks.get(hash);
            if (b == null || b.length != dst.remaining()) {
                return false;
            }
            reads++;
            dst.put(b);
            return true;
        }

        @Override
        public void write(long hash, ByteBuffer src) {
            byte[] b = new byte[src.remaining()];
            src.get(b);
            blocks.put(hash, b);
        }
    }

    private static int[] tokens(int n, int seed) {
        int[] t = new int[n];
        for (int i = 0; i < n; i++) {
            t[i] = seed * 1000 + i;
        }
        return t;
    }

    /** Writes recognisable rows into every position of {@code cache}'s first {@code n} tokens. */
    private static void fill(PagedKvCache cache, int n, int seed) {
        float[] row = new float[cache.keyWidth()];
        for (int p = 0; p < n; p++) {
            for (int layer = 0; layer < 2; layer++) {
                for (int j = 0; j < row.length; j++) {
                    row[j] = seed + p * 0.5f + layer * 0.25f + j;
                }
                cache.keys(layer).write(cache.slot(p), row, 0);
                row[0] = -row[0];
                cache.values(layer).write(cache.slot(p), row, 0);
            }
        }
    }

    @Test
    void evictedPrefixesComeBackFromTheStoreWithTheirRows() {
        for (KvCacheType type : KvCacheType.values()) {
            MapStore store = new MapStore();
            BlockPool pool = new BlockPool(4, 4, 2, 32, 32, type, store);
            KvCacheManager kv = new KvCacheManager(pool);
            int[] prompt = tokens(13, 1);
            PagedKvCache a = kv.newCache();
            kv.allocateSlots(a, 0, 13, ComputedBlocks.NONE);
            fill(a, 13, 5);
            kv.cacheFullBlocks(a, prompt, 13);
            float[][] expected = new float[12][32];
            for (int p = 0; p < 12; p++) {
                a.keys(1).read(a.slot(p), expected[p], 0);
            }
            a.release();
            assertThat(store.blocks).isEmpty();

            PagedKvCache other = kv.newCache();                   // takes every block: the prefix is evicted
            kv.allocateSlots(other, 0, 16, ComputedBlocks.NONE);
            assertThat(store.blocks).as(type + ": 3 full blocks written on eviction").hasSize(3);
            assertThat(kv.computedBlocks(prompt, 13).numTokens()).as("no free block to load into").isZero();
            other.release();
            pool.clearPrefixCache();

            ComputedBlocks hit = kv.computedBlocks(prompt, 13);
            assertThat(hit.numTokens()).isEqualTo(12);
            assertThat(pool.numStoreLoads()).isEqualTo(3);
            assertThat(pool.numFreeBlocks()).as("loaded blocks stay cached but free").isEqualTo(4);
            PagedKvCache b = kv.newCache();
            assertThat(kv.allocateSlots(b, 0, 1, hit)).isTrue();
            float[] row = new float[32];
            for (int p = 0; p < 12; p++) {
                b.keys(1).read(b.slot(p), row, 0);
                assertThat(row).as(type + " position " + p).containsExactly(expected[p]);
            }
            assertThat(kv.prefixHits()).isEqualTo(12);
        }
    }

    @Test
    void loadingAPrefixNeverEvictsItsOwnEarlierBlocks() {
        MapStore store = new MapStore();
        BlockPool pool = new BlockPool(4, 4, 2, 32, 32, KvCacheType.F32, store);
        KvCacheManager kv = new KvCacheManager(pool);
        int[] prompt = tokens(13, 2);
        PagedKvCache a = kv.newCache();
        kv.allocateSlots(a, 0, 12, ComputedBlocks.NONE);      // blocks 0, 1, 2
        kv.cacheFullBlocks(a, prompt, 12);
        a.release();                                          // free queue: 3, 2, 1, 0
        pool.persistCachedBlocks();
        assertThat(store.blocks).hasSize(3);
        PagedKvCache filler = kv.newCache();
        kv.allocateSlots(filler, 0, 12, ComputedBlocks.NONE); // takes 3, 2, 1: the prefix's blocks 1 and 2 are evicted
        filler.release();                                     // free queue: 0 (still cached, least recent), 1, 2, 3
        assertThat(pool.numCachedBlocks()).isEqualTo(1);
        ComputedBlocks hit = kv.computedBlocks(prompt, 13);
        assertThat(hit.numTokens()).isEqualTo(12);            // block 0 from memory, kept while 1 and 2 were loaded
        assertThat(store.reads).isEqualTo(2);
        PagedKvCache b = kv.newCache();
        assertThat(kv.allocateSlots(b, 0, 1, hit)).isTrue();
        assertThat(b.blockId(0)).isZero();
        assertThat(java.util.Set.of(b.blockId(0), b.blockId(1), b.blockId(2), b.blockId(3))).hasSize(4);
        assertThat(pool.numFreeBlocks()).isZero();
        assertThat(pool.numCachedBlocks()).isEqualTo(3);
    }
}
