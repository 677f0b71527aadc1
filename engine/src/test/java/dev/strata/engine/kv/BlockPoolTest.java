package dev.strata.engine.kv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class BlockPoolTest {

    @Test
    void budgetIsAHardCapAndOverheadIsUnderTwoPercent() {
        // qwen2.5-0.5b-like: 24 layers, 2 kv heads x 64
        int layers = 24;
        int width = 128;
        long budget = 10L << 20;
        BlockPool pool = BlockPool.ofBudget(budget, 16, layers, width, width);
        assertThat(pool.sizeBytes()).isLessThanOrEqualTo(budget);
        long theoretical = 2L * layers * width * Float.BYTES; // bytes per token
        long perToken = pool.sizeBytes() / ((long) pool.numBlocks() * pool.blockSize());
        assertThat((double) (perToken - theoretical) / theoretical).isLessThan(0.02);
        assertThat(pool.numBlocks()).isEqualTo((int) (budget / (16 * theoretical + BlockPool.BLOCK_OVERHEAD_BYTES)));
    }

    @Test
    void budgetBelowOneBlockIsRefused() {
        assertThatThrownBy(() -> BlockPool.ofBudget(1000, 16, 2, 8, 8)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("kvMemoryBytes 1000");
    }

    @Test
    void allocateUntilEmptyThenNoRoomIsNull() {
        BlockPool pool = new BlockPool(3, 4, 1, 2, 2);
        KvBlock a = pool.allocate();
        KvBlock b = pool.allocate();
        KvBlock c = pool.allocate();
        assertThat(pool.allocate()).isNull();
        assertThat(pool.numFreeBlocks()).isZero();
        assertThat(pool.usage()).isEqualTo(1.0);
        pool.free(b);
        assertThat(pool.allocate()).isSameAs(b);
        pool.free(a);
        pool.free(b);
        pool.free(c);
        assertThat(pool.numFreeBlocks()).isEqualTo(3);
    }

    @Test
    void freedBlocksAreEvictedLeastRecentlyFreedFirstAndForgetTheirHash() {
        BlockPool pool = new BlockPool(3, 4, 1, 2, 2);
        KvBlock a = pool.allocate();
        KvBlock b = pool.allocate();
        KvBlock c = pool.allocate();
        pool.cache(a, 11);
        pool.cache(b, 22);
        pool.free(b); // b freed first: evicted first
        pool.free(a);
        pool.free(c);
        assertThat(pool.cachedBlock(22)).isSameAs(b);
        assertThat(pool.allocate()).isSameAs(b);
        assertThat(pool.cachedBlock(22)).isNull();
        assertThat(pool.cachedBlock(11)).isSameAs(a);
    }

    @Test
    void touchRevivesACachedFreeBlockOutOfTheQueue() {
        BlockPool pool = new BlockPool(2, 4, 1, 2, 2);
        KvBlock a = pool.allocate();
        pool.cache(a, 5);
        pool.free(a);
        assertThat(pool.numFreeBlocks()).isEqualTo(2);
        pool.touch(pool.cachedBlock(5));
        assertThat(a.refCount()).isEqualTo(1);
        assertThat(pool.numFreeBlocks()).isEqualTo(1);
        KvBlock other = pool.allocate();
        assertThat(other).isNotSameAs(a);
        assertThat(pool.allocate()).isNull();
    }

    @Test
    void doubleFreeIsABug() {
        BlockPool pool = new BlockPool(1, 4, 1, 2, 2);
        KvBlock a = pool.allocate();
        pool.free(a);
        assertThatThrownBy(() -> pool.free(a)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aSecondBlockWithTheSameHashStaysUncached() {
        BlockPool pool = new BlockPool(2, 4, 1, 2, 2);
        KvBlock a = pool.allocate();
        KvBlock b = pool.allocate();
        pool.cache(a, 7);
        pool.cache(b, 7);
        assertThat(pool.cachedBlock(7)).isSameAs(a);
        pool.free(b);
        pool.free(a);
        assertThat(pool.allocate()).isSameAs(b); // evicting b must not drop a's entry
        assertThat(pool.cachedBlock(7)).isSameAs(a);
    }
}
