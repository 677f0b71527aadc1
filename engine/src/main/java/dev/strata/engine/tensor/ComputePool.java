package dev.strata.engine.tensor;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A fixed set of platform threads, one per core by default, on which kernels run (never on virtual
 * threads). {@link #parallelFor} splits {@code [0, n)} into one contiguous chunk per thread; the
 * calling thread takes the first chunk.
 *
 * <p>Allocation-free per call: the workers live as long as the pool and are handed a job through
 * plain fields (the task, its size, a generation number per worker), woken with
 * {@link LockSupport#unpark} and counted down on one {@link AtomicInteger}; no executor, future,
 * latch or lambda is created per call. A forward pass makes hundreds of calls per token, so both
 * sides spin briefly before parking: on an idle machine the hand-off then costs microseconds, and on
 * an oversubscribed one a parked thread gives its core back instead of burning it.
 *
 * <p>One job runs at a time: concurrent callers queue on a lock. A call made from inside a task
 * (nested) or from a worker runs inline on the calling thread, so nesting cannot deadlock.
 */
public final class ComputePool implements AutoCloseable {
    /** A unit of parallel work: process indices {@code [from, to)}. */
    @FunctionalInterface
    public interface RangeTask {
        void run(int from, int to);
    }

    /** Busy-wait iterations before parking, on both the caller's and the workers' side. */
    private static final int SPIN_ITERATIONS = 1_000;

    private final int threads;
    private final Worker[] workers;
    private final ReentrantLock callLock = new ReentrantLock();
    /** Chunks of the current job not yet finished by workers. */
    private final AtomicInteger pending = new AtomicInteger();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile boolean closed;
    // The current job, written by the caller before it publishes a generation to the workers.
    private RangeTask task;
    private int size;
    private int chunks;
    private Thread caller;

    public ComputePool(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        this.threads = threads;
        this.workers = new Worker[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = new Worker(i + 1);
            Thread thread = new Thread(workers[i]::loop, "strata-compute-" + (i + 1));
            thread.setDaemon(true);
            workers[i].thread = thread;
            thread.start();
        }
    }

    public int threads() {
        return threads;
    }

    /** Runs {@code task} over {@code [0, n)} split across the pool; returns when all chunks are done. */
    public void parallelFor(int n, RangeTask task) {
        int chunks = Math.min(threads, n);
        if (chunks <= 1 || callLock.isHeldByCurrentThread() || isWorker(Thread.currentThread())) {
            task.run(0, n);
            return;
        }
        if (closed) {
            throw new IllegalStateException("compute pool is closed");
        }
        callLock.lock();
        try {
            runJob(n, chunks, task);
        } finally {
            callLock.unlock();
        }
    }

    private void runJob(int n, int chunks, RangeTask job) {
        this.task = job;
        this.size = n;
        this.chunks = chunks;
        this.caller = Thread.currentThread();
        failure.set(null);
        pending.set(chunks - 1);
        for (int c = 1; c < chunks; c++) {
            workers[c - 1].start();
        }
        Throwable own = null;
        try {
            job.run(0, chunkStart(0));
        } catch (RuntimeException | Error e) {
            own = e;
        }
        awaitWorkers();
        this.task = null;
        Throwable thrown = own != null ? own : failure.getAndSet(null);
        if (thrown instanceof RuntimeException re) {
            throw re;
        }
        if (thrown instanceof Error err) {
            throw err;
        }
    }

    /** End of chunk {@code c} (exclusive), which is also the start of chunk {@code c + 1}. */
    private int chunkStart(int c) {
        return (int) ((long) size * (c + 1) / chunks);
    }

    private void awaitWorkers() {
        boolean interrupted = false;
        for (int spin = 0; pending.get() > 0; spin++) {
            if (spin < SPIN_ITERATIONS) {
                Thread.onSpinWait();
            } else {
                LockSupport.park(this);
                interrupted |= Thread.interrupted();
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private boolean isWorker(Thread thread) {
        for (Worker worker : workers) {
            if (worker.thread == thread) {
                return true;
            }
        }
        return false;
    }

    /** Thread ids of the pool's workers (not the callers'), for allocation accounting in tests. */
    long[] workerThreadIds() {
        long[] ids = new long[workers.length];
        for (int i = 0; i < workers.length; i++) {
            ids[i] = workers[i].thread.threadId();
        }
        return ids;
    }

    @Override
    public void close() {
        closed = true;
        for (Worker worker : workers) {
            LockSupport.unpark(worker.thread);
        }
    }

    /** One pool thread: waits for its generation number to move, runs its chunk, counts down. */
    private final class Worker {
        private final int chunk;
        private Thread thread;
        /** Incremented by the caller for each job this worker takes part in. */
        private volatile long started;

        Worker(int chunk) {
            this.chunk = chunk;
        }

        void start() {
            started = started + 1;
            LockSupport.unpark(thread);
        }

        void loop() {
            long done = 0;
            while (true) {
                for (int spin = 0; started == done; spin++) {
                    if (closed) {
                        return;
                    }
                    if (spin < SPIN_ITERATIONS) {
                        Thread.onSpinWait();
                    } else {
                        LockSupport.park(ComputePool.this);
                    }
                }
                done = started;
                try {
                    task.run(chunkStart(chunk - 1), chunkStart(chunk));
                } catch (RuntimeException | Error e) {
                    failure.compareAndSet(null, e);
                } finally {
                    if (pending.decrementAndGet() == 0) {
                        LockSupport.unpark(caller);
                    }
                }
            }
        }
    }
}
