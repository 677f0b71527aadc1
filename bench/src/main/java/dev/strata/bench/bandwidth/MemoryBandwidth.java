package dev.strata.bench.bandwidth;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * A STREAM-like read test: {@code threads} platform threads each sum their share of an off-heap
 * buffer far larger than the caches with the widest float vectors and four accumulators, as a
 * decode step reads weights. Each repetition times all threads from a common start to the last
 * finish; bandwidth is buffer bytes over that time.
 */
public final class MemoryBandwidth {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;

    /** Figures of one run: per-repetition GB/s (10^9 bytes per second), best and median. */
    public record Result(int threads, long bufferBytes, double[] gigabytesPerSecond) {
        public Result {
            gigabytesPerSecond = gigabytesPerSecond.clone();
        }

        public double best() {
            return Arrays.stream(gigabytesPerSecond).max().orElse(0);
        }

        public double median() {
            double[] sorted = gigabytesPerSecond.clone();
            Arrays.sort(sorted);
            int n = sorted.length;
            return n == 0 ? 0 : n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
        }
    }

    private MemoryBandwidth() {
    }

    /** Measures read bandwidth over {@code bufferBytes} with {@code threads} threads, {@code repetitions} times. */
    public static Result measure(long bufferBytes, int threads, int repetitions) {
        if (threads < 1 || repetitions < 1) {
            throw new IllegalArgumentException("threads and repetitions must be >= 1");
        }
        long unit = (long) SPECIES.vectorByteSize() * 4 * threads;
        long size = Math.max(unit, bufferBytes / unit * unit);
        try (Arena arena = Arena.ofShared()) {
            MemorySegment buffer = arena.allocate(size, 4096);
            for (long i = 0; i < size; i += 4) {
                buffer.set(ValueLayout.JAVA_FLOAT_UNALIGNED, i, (i & 1023) * 1e-3f);
            }
            double[] rates = new double[repetitions];
            long share = size / threads;
            float[] sinks = new float[threads];
            CyclicBarrier start = new CyclicBarrier(threads + 1);
            CyclicBarrier end = new CyclicBarrier(threads + 1);
            Thread[] workers = new Thread[threads];
            for (int t = 0; t < threads; t++) {
                int index = t;
                MemorySegment slice = buffer.asSlice(t * share, share);
                workers[t] = Thread.ofPlatform().name("bandwidth-" + t).daemon().start(() -> {
                    for (int r = 0; r < repetitions + 1; r++) {
                        await(start);
                        sinks[index] += sum(slice);
                        await(end);
                    }
                });
            }
            for (int r = -1; r < repetitions; r++) { // r = -1 warms up (JIT, TLB)
                await(start);
                long t0 = System.nanoTime();
                await(end);
                long elapsed = System.nanoTime() - t0;
                if (r >= 0) {
                    rates[r] = size / (double) elapsed;
                }
            }
            for (Thread w : workers) {
                w.join();
            }
            if (Float.isNaN(sinks[0])) {
                throw new IllegalStateException("unexpected NaN sum");
            }
            return new Result(threads, size, rates);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Sum of all floats of {@code segment} (a whole number of 4-vector groups). */
    static float sum(MemorySegment segment) {
        long step = SPECIES.vectorByteSize();
        FloatVector a0 = FloatVector.zero(SPECIES);
        FloatVector a1 = a0;
        FloatVector a2 = a0;
        FloatVector a3 = a0;
        long n = segment.byteSize();
        for (long i = 0; i < n; i += 4 * step) {
            a0 = a0.add(FloatVector.fromMemorySegment(SPECIES, segment, i, ByteOrder.LITTLE_ENDIAN));
            a1 = a1.add(FloatVector.fromMemorySegment(SPECIES, segment, i + step, ByteOrder.LITTLE_ENDIAN));
            a2 = a2.add(FloatVector.fromMemorySegment(SPECIES, segment, i + 2 * step, ByteOrder.LITTLE_ENDIAN));
            a3 = a3.add(FloatVector.fromMemorySegment(SPECIES, segment, i + 3 * step, ByteOrder.LITTLE_ENDIAN));
        }
        return a0.add(a1).add(a2).add(a3).reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
    }

    private static void await(CyclicBarrier barrier) {
        try {
            barrier.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (BrokenBarrierException e) {
            throw new IllegalStateException("bandwidth worker failed", e);
        }
    }
}
