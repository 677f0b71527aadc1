package dev.strata.engine.kv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ContiguousKvCacheTest {
    @Test
    void slotsAreBlockMappedAndStorageCoversWholeBlocks() {
        ContiguousKvCache cache = new ContiguousKvCache(3, 8, 4, 20, 16);
        assertThat(cache.capacity()).isEqualTo(20);
        assertThat(cache.blockSize()).isEqualTo(16);
        assertThat(cache.physicalBlock(1)).isEqualTo(1);
        assertThat(cache.slot(17)).isEqualTo(17);
        assertThat(cache.keys(2).numSlots()).isEqualTo(32);     // two blocks of 16 tokens x 8 floats
        assertThat(cache.keys(2).width()).isEqualTo(8);
        assertThat(cache.values(0).sizeBytes()).isEqualTo(32 * 4 * 4);
        assertThat(cache.type()).isEqualTo(KvCacheType.F32);
        assertThat(ContiguousKvCache.sizeBytes(3, 8, 4, 20, 16)).isEqualTo(32L * 3 * 12 * 4);
    }

    @Test
    void theDefaultSlotFormulaFollowsTheBlockTable() {
        KvCache reversed = new KvCache() {
            public int blockSize() { return 4; }
            public int capacity() { return 8; }
            public int keyWidth() { return 1; }
            public int valueWidth() { return 1; }
            public int physicalBlock(int logicalBlock) { return 1 - logicalBlock; }
            public KvCacheType type() { return KvCacheType.F32; }
            public KvRows keys(int layer) { return KvCacheType.F32.newRows(8, 1); }
            public KvRows values(int layer) { return KvCacheType.F32.newRows(8, 1); }
            public void release() {}
        };
        assertThat(reversed.slot(0)).isEqualTo(4);
        assertThat(reversed.slot(5)).isEqualTo(1);
    }

    @Test
    void releasedCachesCannotBeUsed() {
        ContiguousKvCache cache = new ContiguousKvCache(1, 2, 2, 4);
        cache.release();
        cache.release();
        assertThatThrownBy(() -> cache.keys(0)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void rejectsBadSizes() {
        assertThatThrownBy(() -> new ContiguousKvCache(1, 2, 2, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ContiguousKvCache(1, 1 << 20, 1, 1 << 12))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not fit one array");
    }
}
