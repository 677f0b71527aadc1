package dev.strata.engine.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ComputePoolTest {
    /** Every index of [0, n) is visited exactly once, for n below, at and above the thread count. */
    @Test
    void coversEveryIndexOnce() {
        try (ComputePool pool = new ComputePool(3)) {
            for (int n : new int[] {0, 1, 2, 3, 4, 7, 100}) {
                int[] visits = new int[n];
                for (int repeat = 0; repeat < 50; repeat++) {
                    pool.parallelFor(n, (from, to) -> {
                        for (int i = from; i < to; i++) {
                            visits[i]++;
                        }
                    });
                }
                for (int i = 0; i < n; i++) {
                    assertThat(visits[i]).as("n=" + n + " i=" + i).isEqualTo(50);
                }
            }
        }
    }

    /** A worker's exception reaches the caller, and the pool keeps working afterwards. */
    @Test
    void propagatesAWorkersFailure() {
        try (ComputePool pool = new ComputePool(2)) {
            assertThatThrownBy(() -> pool.parallelFor(10, (from, to) -> {
                if (from > 0) {
                    throw new IllegalStateException("chunk " + from);
                }
            })).isInstanceOf(IllegalStateException.class).hasMessage("chunk 5");
            AtomicInteger sum = new AtomicInteger();
            pool.parallelFor(10, (from, to) -> sum.addAndGet(to - from));
            assertThat(sum).hasValue(10);
        }
    }

    /** A call from inside a task runs inline instead of deadlocking on the busy workers. */
    @Test
    void nestedCallsRunInline() {
        try (ComputePool pool = new ComputePool(2)) {
            AtomicInteger inner = new AtomicInteger();
            pool.parallelFor(4, (from, to) -> pool.parallelFor(3, (a, b) -> inner.addAndGet(b - a)));
            assertThat(inner).hasValue(6);
        }
    }

    /**
     * Warm calls allocate nothing, on the calling thread nor on the workers (counted with
     * {@code com.sun.management.ThreadMXBean#getThreadAllocatedBytes}; a few hundred bytes of slack
     * for the bean's own bookkeeping).
     */
    @Test
    void warmCallsDoNotAllocate() {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        try (ComputePool pool = new ComputePool(2)) {
            float[] data = new float[1024];
            ComputePool.RangeTask task = (from, to) -> {
                for (int i = from; i < to; i++) {
                    data[i] += 1f;
                }
            };
            for (int i = 0; i < 20_000; i++) {
                pool.parallelFor(data.length, task);
            }
            long[] ids = ids(pool);
            long before = total(threads, ids);
            for (int i = 0; i < 10_000; i++) {
                pool.parallelFor(data.length, task);
            }
            long allocated = total(threads, ids) - before;
            assertThat(allocated).as("bytes allocated by 10,000 warm calls").isLessThan(1_000);
        }
    }

    private static long[] ids(ComputePool pool) {
        long[] workers = pool.workerThreadIds();
        long[] ids = new long[workers.length + 1];
        System.arraycopy(workers, 0, ids, 0, workers.length);
        ids[workers.length] = Thread.currentThread().threadId();
        return ids;
    }

    private static long total(com.sun.management.ThreadMXBean threads, long[] ids) {
        long sum = 0;
        for (long id : ids) {
            sum += threads.getThreadAllocatedBytes(id);
        }
        return sum;
    }
}
