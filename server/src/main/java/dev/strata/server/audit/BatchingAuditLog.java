package dev.strata.server.audit;

import dev.strata.server.store.StoreException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Takes audit records off the request threads: {@link #submit} and {@link #append} put the record
 * (or what builds it: the SHA-256 of prompt and output is computed there) on a bounded queue, and
 * one writer thread builds the records and stores up to {@code maxBatch} at a time through the
 * wrapped log's {@link AuditLog#appendAll} (one transaction each). A full queue blocks the request
 * thread until the writer has made room (back-pressure): no record is dropped. A batch the database
 * refuses is retried record by record, so one bad record costs only itself (logged as an error, as
 * a synchronous append failure was). After a batch that was not full the writer rests
 * {@code lingerNanos}, so under load records are stored a few hundred per transaction and a request
 * thread rarely has to wake the writer.
 *
 * <p>{@link #query} and {@link #spentUsd} wait until every record submitted before them is
 * stored, so a reader sees its own requests. {@link #close} stops taking records (later ones are
 * written synchronously), drains the queue and waits for the writer: nothing submitted is lost.
 */
public final class BatchingAuditLog implements AuditLog, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(BatchingAuditLog.class.getName());
    /** How often an idle writer looks whether it was closed (an interrupt may land in its rest instead). */
    private static final long IDLE_CHECK_MILLIS = 100;

    private final AuditLog log;
    private final BlockingQueue<Supplier<AuditRecord>> queue;
    private final int maxBatch;
    private final long lingerNanos;
    private final Thread writer;
    private final Object progress = new Object();
    /** Records taken onto the queue, and records the writer has finished with (stored or failed). */
    private long submitted;
    private long done;
    private volatile boolean closed;

    /**
     * @param log      where records are stored
     * @param capacity records waiting at most (the request threads block past it)
     * @param maxBatch records stored per transaction at most
     * @param lingerNanos how long the writer rests after a batch that was not full, so records that
     *                 arrive meanwhile share the next transaction and the request threads do not
     *                 wake the writer once per record (0: no rest)
     * @param threads  makes the writer thread
     */
    public BatchingAuditLog(AuditLog log, int capacity, int maxBatch, long lingerNanos, ThreadFactory threads) {
        if (capacity < 1 || maxBatch < 1 || lingerNanos < 0) {
            throw new IllegalArgumentException("capacity and maxBatch must be >= 1 and lingerNanos >= 0, got "
                    + capacity + ", " + maxBatch + ", " + lingerNanos);
        }
        this.log = log;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.maxBatch = maxBatch;
        this.lingerNanos = lingerNanos;
        this.writer = threads.newThread(this::write);
        writer.start();
    }

    @Override
    public void append(AuditRecord record) {
        submit(() -> record);
    }

    @Override
    public void submit(Supplier<AuditRecord> finished) {
        boolean queued;
        synchronized (progress) {
            queued = !closed;
            if (queued) {
                submitted++; // counted under the lock that close sets closed under: close waits for it
            }
        }
        if (!queued) {
            log.append(finished.get());
            return;
        }
        boolean interrupted = false;
        while (true) {
            try {
                queue.put(finished);
                break;
            } catch (InterruptedException e) {
                interrupted = true; // the record is still stored; the interrupt is kept for the caller
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public List<AuditRecord> query(AuditQuery query) {
        flush();
        return log.query(query);
    }

    @Override
    public double spentUsd(String tenant, Instant since) {
        flush();
        return log.spentUsd(tenant, since);
    }

    /** Waits until every record submitted before this call is stored (or failed). */
    public void flush() {
        synchronized (progress) {
            long target = submitted;
            boolean interrupted = false;
            while (done < target && writer.isAlive()) {
                try {
                    progress.wait(100);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Records waiting to be written. */
    public int pending() {
        return queue.size();
    }

    private void write() {
        List<Supplier<AuditRecord>> taken = new ArrayList<>(maxBatch);
        List<AuditRecord> batch = new ArrayList<>(maxBatch);
        while (true) {
            taken.clear();
            batch.clear();
            Supplier<AuditRecord> first;
            try {
                first = queue.poll(IDLE_CHECK_MILLIS, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                first = null; // close: end once everything counted is written
            }
            if (first == null) {
                synchronized (progress) {
                    if (closed && done >= submitted) {
                        return;
                    }
                }
                continue;
            }
            taken.add(first);
            queue.drainTo(taken, maxBatch - 1);
            for (Supplier<AuditRecord> s : taken) {
                try {
                    batch.add(s.get());
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.ERROR, "an audit record could not be built", e);
                }
            }
            store(batch);
            synchronized (progress) {
                done += taken.size();
                progress.notifyAll();
            }
            if (lingerNanos > 0 && taken.size() < maxBatch && !closed) {
                try {
                    Thread.sleep(java.time.Duration.ofNanos(lingerNanos));
                } catch (InterruptedException e) {
                    // close: the loop drains what is left and ends when the queue is empty
                }
            }
        }
    }

    private void store(List<AuditRecord> batch) {
        try {
            log.appendAll(batch);
        } catch (StoreException e) {
            for (AuditRecord r : batch) {
                try {
                    log.append(r);
                } catch (StoreException one) {
                    LOG.log(System.Logger.Level.ERROR, "audit record " + r.requestId() + " was not stored", one);
                }
            }
        }
    }

    /** Stops queueing, writes everything queued and waits for the writer to end. */
    @Override
    public void close() {
        synchronized (progress) {
            closed = true;
        }
        flush();
        writer.interrupt();
        boolean interrupted = false;
        while (writer.isAlive()) {
            try {
                writer.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
