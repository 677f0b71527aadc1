package dev.strata.server.admit;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * The server's request slots, handed out by priority class and, within a class, fairly between
 * tenants. A request takes a free slot at once when nobody is waiting; otherwise it waits in its
 * tenant's queue of its priority class. When a slot frees, the highest class with waiters gets it,
 * and within that class the tenant with the least weighted service so far — start-time fair
 * queuing (Goyal, Vin, Cheng, "Start-time Fair Queueing", SIGCOMM 1996) with one unit of work per
 * request: each grant advances the tenant's virtual time by {@code 1/weight}, and a tenant that
 * starts waiting is brought forward to the class's virtual time, so idling earns no credit. One
 * tenant's burst therefore delays another tenant by at most one grant per slot.
 *
 * <p>Queues are bounded per tenant and class ({@link Entry.Full} beyond); a wait that cannot end
 * within {@code maxWaitNanos} by the current service rate is refused at once
 * ({@link Entry.Unmeetable}) rather than left to time out.
 */
public final class FairQueue {
    private final int slots;
    private final int maxQueuedPerTenant;
    private final long maxWaitNanos;
    private final LongSupplier nanoTime;
    private final ReentrantLock lock = new ReentrantLock();
    /** Priority classes, highest first. */
    private final TreeMap<Integer, PriorityClass> classes = new TreeMap<>((a, b) -> Integer.compare(b, a));
    private int busy;
    private int waiting;
    /** Exponentially weighted mean time a slot is held, nanoseconds; 0 until measured. */
    private double meanHoldNanos;
    private final AtomicLong granted = new AtomicLong();
    private final AtomicLong queuedTotal = new AtomicLong();
    private final AtomicLong waitNanosTotal = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();

    /**
     * @param slots              requests served at once
     * @param maxQueuedPerTenant waiting requests per tenant and priority class
     * @param maxWaitNanos       longest a request may wait for a slot
     */
    public FairQueue(int slots, int maxQueuedPerTenant, long maxWaitNanos, LongSupplier nanoTime) {
        if (slots <= 0 || maxQueuedPerTenant < 0 || maxWaitNanos < 0) {
            throw new IllegalArgumentException("slots must be > 0, maxQueuedPerTenant and maxWaitNanos >= 0, got "
                    + slots + ", " + maxQueuedPerTenant + ", " + maxWaitNanos);
        }
        this.slots = slots;
        this.maxQueuedPerTenant = maxQueuedPerTenant;
        this.maxWaitNanos = maxWaitNanos;
        this.nanoTime = nanoTime;
    }

    /** The outcome of {@link #enter}. */
    public sealed interface Entry {
        /** A slot, taken now. */
        record Admitted(Slot slot) implements Entry {}

        /** Waiting; the ticket completes with a slot. */
        record Queued(Ticket ticket) implements Entry {}

        /** This tenant's queue for the class is full. */
        record Full(int queued) implements Entry {}

        /** The wait would exceed the limit at the current service rate. */
        record Unmeetable(long expectedWaitNanos) implements Entry {}
    }

    /** A held slot; {@link #release} is idempotent. */
    public final class Slot {
        private final long grantedNanos;
        private final long waitedNanos;
        private final AtomicBoolean released = new AtomicBoolean();

        private Slot(long grantedNanos, long waitedNanos) {
            this.grantedNanos = grantedNanos;
            this.waitedNanos = waitedNanos;
        }

        /** How long the request waited in the queue (0 when admitted at once). */
        public long waitedNanos() {
            return waitedNanos;
        }

        public void release() {
            if (released.compareAndSet(false, true)) {
                freed(nanoTime.getAsLong() - grantedNanos);
            }
        }
    }

    /** A queued request. */
    public final class Ticket {
        private final String tenant;
        private final PriorityClass priorityClass;
        private final long enqueuedNanos;
        private final CompletableFuture<Slot> slot = new CompletableFuture<>();

        private Ticket(String tenant, PriorityClass priorityClass, long enqueuedNanos) {
            this.tenant = tenant;
            this.priorityClass = priorityClass;
            this.enqueuedNanos = enqueuedNanos;
        }

        /** Completes with the slot when one is granted. */
        public CompletableFuture<Slot> slot() {
            return slot;
        }

        /**
         * Leaves the queue (the caller gave up waiting). If the slot was granted meanwhile it is
         * released. Returns true when the ticket had still been waiting.
         */
        public boolean cancel() {
            lock.lock();
            try {
                if (slot.isDone()) {
                    slot.join().release();
                    return false;
                }
                TenantQueue q = priorityClass.tenants.get(tenant);
                if (q != null && q.tickets.remove(this)) {
                    waiting--;
                    if (q.tickets.isEmpty()) {
                        priorityClass.active.remove(tenant);
                    }
                }
                slot.cancel(false);
                refused.incrementAndGet();
                return true;
            } finally {
                lock.unlock();
            }
        }
    }

    private static final class TenantQueue {
        final ArrayDeque<Ticket> tickets = new ArrayDeque<>();
        double weight = 1;
        double virtualStart;
    }

    private static final class PriorityClass {
        final Map<String, TenantQueue> tenants = new HashMap<>();
        /** Tenants with waiters, by name; scanned to find the least virtual start (few tenants). */
        final Map<String, TenantQueue> active = new HashMap<>();
        double virtualTime;
    }

    /**
     * Asks for a slot.
     *
     * @param weight   the tenant's share relative to others (>= 1)
     * @param priority the request's class; higher is served first
     */
    public Entry enter(String tenant, int weight, int priority) {
        long now = nanoTime.getAsLong();
        lock.lock();
        try {
            if (busy < slots && waiting == 0) {
                busy++;
                granted.incrementAndGet();
                return new Entry.Admitted(new Slot(now, 0));
            }
            PriorityClass pc = classes.computeIfAbsent(priority, p -> new PriorityClass());
            TenantQueue q = pc.tenants.computeIfAbsent(tenant, t -> new TenantQueue());
            q.weight = Math.max(1, weight);
            if (q.tickets.size() >= maxQueuedPerTenant) {
                refused.incrementAndGet();
                return new Entry.Full(q.tickets.size());
            }
            long expected = expectedWaitNanos(priority);
            if (expected > maxWaitNanos) {
                refused.incrementAndGet();
                return new Entry.Unmeetable(expected);
            }
            if (q.tickets.isEmpty()) {
                q.virtualStart = Math.max(q.virtualStart, pc.virtualTime);
                pc.active.put(tenant, q);
            }
            Ticket ticket = new Ticket(tenant, pc, now);
            q.tickets.addLast(ticket);
            waiting++;
            queuedTotal.incrementAndGet();
            return new Entry.Queued(ticket);
        } finally {
            lock.unlock();
        }
    }

    /** Waiters ahead of a new request of this priority, over the service rate. Under the lock. */
    private long expectedWaitNanos(int priority) {
        if (meanHoldNanos == 0) {
            return 0;
        }
        int ahead = 0;
        for (Map.Entry<Integer, PriorityClass> e : classes.entrySet()) {
            if (e.getKey() < priority) {
                break;
            }
            for (TenantQueue q : e.getValue().active.values()) {
                ahead += q.tickets.size();
            }
        }
        return (long) ((ahead + 1) * meanHoldNanos / slots);
    }

    private void freed(long heldNanos) {
        lock.lock();
        try {
            meanHoldNanos = meanHoldNanos == 0 ? heldNanos : 0.9 * meanHoldNanos + 0.1 * heldNanos;
            busy--;
            while (busy < slots && waiting > 0) {
                Ticket next = pollNext();
                busy++;
                long now = nanoTime.getAsLong();
                long waited = now - next.enqueuedNanos;
                waitNanosTotal.addAndGet(waited);
                granted.incrementAndGet();
                if (!next.slot.complete(new Slot(now, waited))) {
                    busy--; // cancelled concurrently: cannot happen under the lock, kept for safety
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** The next ticket: highest class, least virtual start within it. Under the lock, waiting > 0. */
    private Ticket pollNext() {
        for (PriorityClass pc : classes.values()) {
            if (pc.active.isEmpty()) {
                continue;
            }
            String best = null;
            TenantQueue bestQueue = null;
            for (Map.Entry<String, TenantQueue> e : pc.active.entrySet()) {
                TenantQueue q = e.getValue();
                if (bestQueue == null || q.virtualStart < bestQueue.virtualStart
                        || (q.virtualStart == bestQueue.virtualStart && e.getKey().compareTo(best) < 0)) {
                    best = e.getKey();
                    bestQueue = q;
                }
            }
            Ticket t = bestQueue.tickets.pollFirst();
            pc.virtualTime = bestQueue.virtualStart;
            bestQueue.virtualStart += 1.0 / bestQueue.weight;
            if (bestQueue.tickets.isEmpty()) {
                pc.active.remove(best);
            }
            waiting--;
            return t;
        }
        throw new IllegalStateException("no waiter although waiting = " + waiting);
    }

    /** Requests served at once. */
    public int slots() {
        return slots;
    }

    /** Counters for metrics. */
    public record Stats(int busy, int waiting, long granted, long queued, long waitNanosTotal, long refused) {}

    public Stats stats() {
        lock.lock();
        try {
            return new Stats(busy, waiting, granted.get(), queuedTotal.get(), waitNanosTotal.get(), refused.get());
        } finally {
            lock.unlock();
        }
    }
}
