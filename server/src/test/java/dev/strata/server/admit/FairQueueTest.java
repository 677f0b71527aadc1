package dev.strata.server.admit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class FairQueueTest {
    private final AtomicLong nanos = new AtomicLong();

    private static FairQueue.Slot admitted(FairQueue.Entry e) {
        return ((FairQueue.Entry.Admitted) e).slot();
    }

    private static FairQueue.Ticket queued(FairQueue.Entry e) {
        return ((FairQueue.Entry.Queued) e).ticket();
    }

    @Test
    void aBurstingTenantDoesNotStarveAnother() {
        FairQueue q = new FairQueue(1, 100, Long.MAX_VALUE, nanos::get);
        FairQueue.Slot running = admitted(q.enter("a", 1, 0));
        List<FairQueue.Ticket> a = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            a.add(queued(q.enter("a", 1, 0)));
        }
        FairQueue.Ticket b = queued(q.enter("b", 1, 0));
        running.release();
        // a's first waiter and b tie on virtual time (b is brought forward, not behind a's backlog): name breaks it.
        assertThat(a.get(0).slot()).isDone();
        assertThat(b.slot()).isNotDone();
        a.get(0).slot().join().release();
        assertThat(b.slot()).as("b is second, not eleventh").isDone();
        assertThat(a.get(1).slot()).isNotDone();
        b.slot().join().release();
        assertThat(a.get(1).slot()).isDone();
    }

    @Test
    void weightsShareSlotsInProportion() {
        FairQueue q = new FairQueue(1, 1000, Long.MAX_VALUE, nanos::get);
        FairQueue.Slot running = admitted(q.enter("x", 1, 0));
        List<FairQueue.Ticket> heavy = new ArrayList<>();
        List<FairQueue.Ticket> light = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            heavy.add(queued(q.enter("heavy", 3, 0)));
            light.add(queued(q.enter("light", 1, 0)));
        }
        running.release();
        int heavyServed = 0;
        for (int i = 0; i < 20; i++) {
            FairQueue.Ticket next = heavy.stream().filter(t -> t.slot().isDone()).findFirst()
                    .or(() -> light.stream().filter(t -> t.slot().isDone()).findFirst()).orElseThrow();
            if (heavy.remove(next)) {
                heavyServed++;
            } else {
                light.remove(next);
            }
            next.slot().join().release();
        }
        assertThat(heavyServed).isBetween(14, 16);
    }

    @Test
    void higherPriorityClassGoesFirst() {
        FairQueue q = new FairQueue(1, 10, Long.MAX_VALUE, nanos::get);
        FairQueue.Slot running = admitted(q.enter("a", 1, 0));
        FairQueue.Ticket low = queued(q.enter("a", 1, 0));
        FairQueue.Ticket high = queued(q.enter("b", 1, 5));
        running.release();
        assertThat(high.slot()).isDone();
        assertThat(low.slot()).isNotDone();
    }

    @Test
    void fullQueueAndUnmeetableWaitAreRefused() {
        FairQueue q = new FairQueue(1, 2, 3_000_000_000L, nanos::get);
        FairQueue.Slot s = admitted(q.enter("a", 1, 0));
        nanos.addAndGet(2_000_000_000L);
        s.release(); // mean hold time is now 2 s
        FairQueue.Slot s2 = admitted(q.enter("a", 1, 0));
        queued(q.enter("a", 1, 0));
        assertThat(q.enter("b", 1, 0)).as("two ahead of b: 4 s > 3 s").isInstanceOf(FairQueue.Entry.Unmeetable.class);
        queued(q.enter("a", 1, 1));
        assertThat(q.enter("a", 1, 0)).isInstanceOf(FairQueue.Entry.Unmeetable.class);
        s2.release();
    }

    @Test
    void tenantQueueBoundIsPerTenant() {
        FairQueue q = new FairQueue(1, 1, Long.MAX_VALUE, nanos::get);
        admitted(q.enter("a", 1, 0));
        queued(q.enter("a", 1, 0));
        assertThat(q.enter("a", 1, 0)).isInstanceOf(FairQueue.Entry.Full.class);
        assertThat(q.enter("b", 1, 0)).isInstanceOf(FairQueue.Entry.Queued.class);
    }

    @Test
    void cancelledTicketGivesItsTurnAwayAndWaitIsMeasured() {
        FairQueue q = new FairQueue(1, 10, Long.MAX_VALUE, nanos::get);
        FairQueue.Slot s = admitted(q.enter("a", 1, 0));
        FairQueue.Ticket gone = queued(q.enter("a", 1, 0));
        FairQueue.Ticket next = queued(q.enter("b", 1, 0));
        assertThat(gone.cancel()).isTrue();
        nanos.addAndGet(7_000_000L);
        s.release();
        assertThat(next.slot().join().waitedNanos()).isEqualTo(7_000_000L);
        assertThat(q.stats().waitNanosTotal()).isEqualTo(7_000_000L);
        assertThat(q.stats().waiting()).isZero();
    }
}
