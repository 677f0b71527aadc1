package dev.strata.engine.sched;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.engine.kv.BlockPool;
import dev.strata.engine.kv.KvCacheManager;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The scheduler on fake sequences: no model, the "forward pass" only advances progress. */
class SchedulerTest {

    static final class Fake extends ScheduledSequence {
        final String name;
        int ended;

        Fake(String name, int promptLength, int maxNewTokens, int priority) {
            super(prompt(name.hashCode(), promptLength), promptLength + maxNewTokens, priority);
            this.name = name;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    static int[] prompt(int seed, int n) {
        int[] t = new int[n];
        for (int i = 0; i < n; i++) {
            t[i] = seed + i;
        }
        return t;
    }

    private static Scheduler<Fake> scheduler(int numBlocks, int maxNumSeqs, int maxBatchedTokens) {
        return new Scheduler<>(new KvCacheManager(new BlockPool(numBlocks, 4, 1, 2, 2)),
                new SchedulerConfig(maxNumSeqs, maxBatchedTokens, 100));
    }

    /** Runs one step as the engine would; returns the sequences that finished in it. */
    private static List<Fake> step(Scheduler<Fake> sched, SchedulerOutput<Fake> out) {
        sched.stepDone(out);
        List<Fake> done = new ArrayList<>();
        for (SchedulerOutput.Chunk<Fake> c : out.chunks()) {
            Fake s = c.sequence();
            if (c.sampleAfter() && s.status() == ScheduledSequence.Status.RUNNING) {
                if (s.numTokens() == s.maxTokens()) {
                    sched.finish(s);
                    s.ended++;
                    done.add(s);
                } else {
                    s.appendToken(7);
                }
            }
        }
        return done;
    }

    @Test
    void longPromptsArePrefilledInChunksBesideDecodingSequences() {
        Scheduler<Fake> sched = scheduler(64, 4, 8);
        Fake a = new Fake("a", 3, 5, 0);
        sched.add(a);
        SchedulerOutput<Fake> out = sched.schedule();
        assertThat(out.chunks()).containsExactly(new SchedulerOutput.Chunk<>(a, 0, 3, true));
        step(sched, out);
        Fake b = new Fake("b", 20, 5, 0);
        assertThat(sched.add(b)).isZero();
        out = sched.schedule();
        // a decodes one token, b gets the rest of the 8-token budget
        assertThat(out.chunks()).containsExactly(new SchedulerOutput.Chunk<>(a, 3, 1, true),
                new SchedulerOutput.Chunk<>(b, 0, 7, false));
        step(sched, out);
        out = sched.schedule();
        assertThat(out.chunks()).containsExactly(new SchedulerOutput.Chunk<>(a, 4, 1, true),
                new SchedulerOutput.Chunk<>(b, 7, 7, false));
        assertThat(out.numTokens()).isEqualTo(8);
    }

    @Test
    void aLongPromptAheadInOrderLeavesATokenForEachDecodingSequenceBehindIt() {
        Scheduler<Fake> sched = scheduler(64, 4, 8);
        Fake decoding = new Fake("decoding", 2, 5, 0);
        sched.add(decoding);
        step(sched, sched.schedule());
        Fake urgent = new Fake("urgent", 30, 5, 1); // served first, by priority
        sched.add(urgent);
        step(sched, sched.schedule()); // decoding: 1, urgent starts with the other 7
        SchedulerOutput<Fake> out = sched.schedule();
        assertThat(out.chunks()).containsExactly(new SchedulerOutput.Chunk<>(urgent, 7, 7, false),
                new SchedulerOutput.Chunk<>(decoding, 3, 1, true));
    }

    @Test
    void maxNumSeqsLimitsRunningAndTheRestWaitInPriorityOrder() {
        Scheduler<Fake> sched = scheduler(64, 1, 16);
        Fake low = new Fake("low", 2, 2, 0);
        Fake high = new Fake("high", 2, 2, 5);
        Fake low2 = new Fake("low2", 2, 2, 0);
        assertThat(sched.add(low)).isZero();
        assertThat(sched.add(low2)).isEqualTo(1);
        assertThat(sched.add(high)).isZero(); // jumps the queue
        assertThat(sched.schedule().chunks()).extracting(SchedulerOutput.Chunk::sequence).containsExactly(high);
        assertThat(sched.waiting()).containsExactly(low, low2);
    }

    @Test
    void whenMemoryRunsOutTheLowestPriorityRunningSequenceIsPreemptedAndRecomputed() {
        Scheduler<Fake> sched = scheduler(4, 4, 64); // 16 tokens in all
        Fake high = new Fake("high", 4, 8, 1);
        Fake low = new Fake("low", 4, 8, 0);
        sched.add(high);
        sched.add(low);
        List<Fake> finished = new ArrayList<>();
        boolean sawPreemption = false;
        for (int i = 0; i < 100 && finished.size() < 2; i++) {
            SchedulerOutput<Fake> out = sched.schedule();
            if (!out.preempted().isEmpty()) {
                assertThat(out.preempted()).containsExactly(low);
                assertThat(low.numComputedTokens()).isZero();
                sawPreemption = true;
            }
            finished.addAll(step(sched, out));
        }
        assertThat(sawPreemption).isTrue();
        assertThat(finished).containsExactly(high, low);
        assertThat(low.numTokens()).isEqualTo(12); // kept its tokens across the preemption
        assertThat(sched.numPreemptions()).isPositive();
        assertThat(sched.kvCacheManager().pool().numFreeBlocks()).isEqualTo(4);
    }

    @Test
    void aHigherPriorityArrivalPreemptsALowerRunningSequence() {
        Scheduler<Fake> sched = scheduler(4, 4, 64);
        Fake low = new Fake("low", 12, 4, 0);
        sched.add(low);
        step(sched, sched.schedule());
        Fake high = new Fake("high", 8, 4, 9);
        sched.add(high);
        SchedulerOutput<Fake> out = sched.schedule();
        assertThat(out.preempted()).containsExactly(low);
        assertThat(out.chunks()).extracting(SchedulerOutput.Chunk::sequence).containsExactly(high);
    }

    @Test
    void noDeadlockWhenEverySequenceWantsBlocksAtOnce() {
        Scheduler<Fake> sched = scheduler(8, 8, 64); // 32 tokens
        List<Fake> all = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            Fake s = new Fake("s" + i, 3, 25, 0); // each may grow to 28 tokens = 7 blocks
            all.add(s);
            sched.add(s);
        }
        int done = 0;
        for (int i = 0; i < 10_000 && done < all.size(); i++) {
            done += step(sched, sched.schedule()).size();
        }
        assertThat(done).isEqualTo(all.size());
        assertThat(sched.kvCacheManager().pool().numFreeBlocks()).isEqualTo(8);
    }

    @Test
    void aSequenceLargerThanThePoolIsRefused() {
        Scheduler<Fake> sched = scheduler(4, 4, 64);
        assertThat(sched.fits(16)).isTrue();
        assertThat(sched.fits(17)).isFalse();
        assertThatThrownBy(() -> sched.add(new Fake("big", 10, 7, 0))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void sharedPromptsHitThePrefixCache() {
        Scheduler<Fake> sched = scheduler(16, 4, 64);
        Fake a = new Fake("same", 10, 1, 0);
        sched.add(a);
        step(sched, sched.schedule());
        Fake b = new Fake("same", 10, 1, 0);
        sched.add(b);
        SchedulerOutput<Fake> out = sched.schedule();
        assertThat(out.chunks()).contains(new SchedulerOutput.Chunk<>(b, 8, 2, true));
        assertThat(b.numCachedPromptTokens()).isEqualTo(8);
        assertThat(b.cache().blockId(0)).isEqualTo(a.cache().blockId(0));
    }

    /**
     * Thousands of random sequences through a small pool with random priorities, cancellations and
     * failed steps: every one ends exactly once, the loop is bounded, and all blocks come back.
     */
    @Test
    void soakLeavesEveryBlockFreeAndEndsEverySequenceOnce() {
        SplittableRandom random = new SplittableRandom(42);
        Scheduler<Fake> sched = scheduler(32, 8, 32); // 128 tokens of KV
        List<Fake> all = new ArrayList<>();
        Set<Fake> live = new HashSet<>();
        int submitted = 0;
        int steps = 0;
        while ((submitted < 3000 || !live.isEmpty()) && steps < 200_000) {
            steps++;
            for (int k = random.nextInt(3); k > 0 && submitted < 3000; k--) {
                Fake s = new Fake("r" + submitted + "/" + random.nextInt(4), 1 + random.nextInt(40),
                        random.nextInt(30), random.nextInt(3));
                submitted++;
                all.add(s);
                live.add(s);
                sched.add(s);
            }
            for (Fake s : List.copyOf(live)) {
                if (random.nextInt(200) == 0) { // cancelled: running or waiting
                    sched.finish(s);
                    s.ended++;
                    live.remove(s);
                }
            }
            SchedulerOutput<Fake> out = sched.schedule();
            assertThat(out.isEmpty()).as("progress while work exists").isEqualTo(live.isEmpty());
            assertThat(out.numTokens()).isLessThanOrEqualTo(32);
            if (random.nextInt(100) == 0) { // the forward pass failed: its sequences end
                for (SchedulerOutput.Chunk<Fake> c : out.chunks()) {
                    sched.finish(c.sequence());
                    c.sequence().ended++;
                    live.remove(c.sequence());
                }
                continue;
            }
            live.removeAll(step(sched, out));
        }
        assertThat(live).isEmpty();
        assertThat(all).allSatisfy(s -> assertThat(s.ended).as(s.name).isEqualTo(1));
        assertThat(sched.numRunning() + sched.numWaiting()).isZero();
        assertThat(sched.kvCacheManager().pool().numFreeBlocks()).isEqualTo(32);
        assertThat(sched.numPreemptions()).isPositive();
    }
}
