package dev.strata.engine.kv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

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

    @ParameterizedTest
    @EnumSource(KvCacheType.class)
    void bytesPerTokenAreTheTheoreticalSizeOfEachStorageType(KvCacheType type) {
        // qwen2.5-0.5b: 24 layers, 2 kv heads x 64; smollm2-135m: 30 layers, 3 kv heads x 64
        int[][] shapes = {{24, 2, 64}, {30, 3, 64}};
        double bytesPerValue = switch (type) {
            case F32 -> 4;
            case F16 -> 2;
            case Q8_0 -> 34.0 / 32;
        };
        for (int[] shape : shapes) {
            int layers = shape[0];
            int width = shape[1] * shape[2];
            long budget = 3L << 20;
            BlockPool pool = BlockPool.ofBudget(budget, 16, layers, width, width, type);
            long tokens = (long) pool.numBlocks() * pool.blockSize();
            double theoretical = 2.0 * layers * shape[1] * shape[2] * bytesPerValue;  // 2 x layers x kv_heads x head_dim x bytes
            assertThat((double) pool.storageBytes() / tokens).as(type + " storage per token").isEqualTo(theoretical);
            assertThat((double) pool.bytesPerBlock() / pool.blockSize()).isEqualTo(theoretical);
            double overhead = (double) (pool.sizeBytes() - pool.storageBytes()) / pool.storageBytes();
            assertThat(overhead).as(type + " block-table overhead").isLessThan(0.02);
            assertThat(pool.sizeBytes()).as("the budget is a hard cap").isLessThanOrEqualTo(budget);
            assertThat(pool.sizeBytes() + pool.bytesPerBlock() + BlockPool.BLOCK_OVERHEAD_BYTES)
                    .as("and the pool is the largest that fits").isGreaterThan(budget);
            assertThat(pool.type()).isEqualTo(type);
        }
    }

    @Test
    void smallerStorageTypesFitMoreTokensInTheSameBudget() {
        long budget = 4L << 20;
        int f32 = BlockPool.ofBudget(budget, 16, 2, 128, 128, KvCacheType.F32).numBlocks();
        int f16 = BlockPool.ofBudget(budget, 16, 2, 128, 128, KvCacheType.F16).numBlocks();
        int q8 = BlockPool.ofBudget(budget, 16, 2, 128, 128, KvCacheType.Q8_0).numBlocks();
        assertThat(f16).isBetween(2 * f32 - 1, 2 * f32 + 1);
        assertThat((double) q8 / f32).isBetween(3.5, 3.8); // 4 / (34/32) = 3.76
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
