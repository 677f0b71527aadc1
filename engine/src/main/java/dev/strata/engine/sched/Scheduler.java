package dev.strata.engine.sched;

import dev.strata.engine.kv.ComputedBlocks;
import dev.strata.engine.kv.KvCacheManager;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;

/**
 * Decides, each step, which sequences run and how many tokens each computes (iteration-level
 * batching, as in Orca and vLLM). Owned by the engine loop thread; nothing here is thread-safe.
 *
 * <p><b>One model of progress</b> (vLLM v1): a sequence has {@code numTokens} (prompt plus output)
 * and {@code numComputedTokens}; each step gives it {@code min(numTokens - numComputedTokens,
 * budget left)} tokens. There are no prefill and decode phases: a new prompt is computed in chunks
 * under {@code maxBatchedTokens}, a decoding sequence needs one token, a prefix-cache hit starts
 * computed above zero, and a preempted sequence restarts at zero.
 *
 * <p><b>Order and preemption.</b> Running sequences are served by priority (higher first), then
 * arrival. When the pool has no room for a running sequence, the lowest-priority (then latest)
 * running sequence is preempted: its blocks are freed and it goes back to the waiting queue with
 * its tokens, to be recomputed later (its client sees only a delay); if the sequence that needs
 * room is itself the lowest, it is the one preempted. A waiting sequence of higher priority may
 * likewise preempt a lower running one. Since every admitted sequence fits the pool alone
 * ({@link #fits}), the highest-priority running sequence always progresses: no deadlock when all
 * want blocks at once. Waiting sequences start only in steps without preemption, in priority order.
 */
public final class Scheduler<S extends ScheduledSequence> {
    private static final Comparator<ScheduledSequence> ORDER = Comparator
            .comparingInt((ScheduledSequence s) -> -s.priority())
            .thenComparingLong(s -> s.arrival);

    private final KvCacheManager kv;
    private final SchedulerConfig config;
    private final TreeSet<S> waiting = new TreeSet<>(ORDER);
    private final List<S> running = new ArrayList<>();
    private long nextArrival;
    private long numPreemptions;

    public Scheduler(KvCacheManager kv, SchedulerConfig config) {
        this.kv = kv;
        this.config = config;
    }

    public KvCacheManager kvCacheManager() {
        return kv;
    }

    public SchedulerConfig config() {
        return config;
    }

    /** True when a sequence of up to {@code maxTokens} tokens fits the whole pool alone; submit checks this. */
    public boolean fits(long maxTokens) {
        return kv.blocksFor(maxTokens) <= kv.pool().numBlocks();
    }

    /**
     * Queues a new sequence. Called by the engine loop when a request arrives.
     *
     * @return its position among the waiting sequences (0 = next to start)
     * @throws IllegalArgumentException if it could never fit the pool (callers check {@link #fits} first)
     */
    public int add(S s) {
        if (s.status != ScheduledSequence.Status.NEW) {
            throw new IllegalStateException("sequence already added");
        }
        if (!fits(s.maxTokens())) {
            throw new IllegalArgumentException("a sequence of " + s.maxTokens() + " tokens never fits the pool");
        }
        s.arrival = nextArrival++;
        s.status = ScheduledSequence.Status.WAITING;
        waiting.add(s);
        return waiting.headSet(s).size();
    }

    /**
     * Removes a sequence (finished, cancelled or failed) and frees its memory at once. Called by the
     * engine when a sequence ends, running or waiting. Idempotent.
     */
    public void finish(S s) {
        if (s.status == ScheduledSequence.Status.RUNNING) {
            running.remove(s);
        } else if (s.status == ScheduledSequence.Status.WAITING) {
            waiting.remove(s);
        }
        freeCache(s);
        s.status = ScheduledSequence.Status.FINISHED;
    }

    public int numRunning() {
        return running.size();
    }

    public int numWaiting() {
        return waiting.size();
    }

    /** Cumulative preemptions. */
    public long numPreemptions() {
        return numPreemptions;
    }

    /** The running sequences (unmodifiable view, in no particular order). */
    public List<S> running() {
        return java.util.Collections.unmodifiableList(running);
    }

    /** The waiting sequences in the order they would start. */
    public List<S> waiting() {
        return List.copyOf(waiting);
    }

    /**
     * Plans the next step. Called by the engine loop once per step, before building the forward
     * batch; the plan's memory is allocated when this returns.
     */
    public SchedulerOutput<S> schedule() {
        int budget = config.maxBatchedTokens();
        List<S> preempted = new ArrayList<>();
        List<S> order = new ArrayList<>(running);
        order.sort(ORDER);
        List<SchedulerOutput.Chunk<S>> chunks = new ArrayList<>();
        for (int i = 0; i < order.size(); i++) {
            S s = order.get(i);
            if (budget == 0) {
                break;
            }
            if (s.status != ScheduledSequence.Status.RUNNING) {
                continue; // preempted earlier in this loop
            }
            // leave one token for each sequence after this one, so a long prompt chunk never
            // stalls the decoding of others (budget >= maxNumSeqs >= running makes this possible)
            int n = Math.min(s.numTokens() - s.numComputedTokens, Math.max(1, budget - (order.size() - i - 1)));
            if (n <= 0) {
                continue;
            }
            boolean allocated;
            while (!(allocated = kv.allocateSlots(s.cache, s.numComputedTokens, n, ComputedBlocks.NONE))) {
                S victim = lowestRunning();
                preempt(victim);
                preempted.add(victim);
                if (victim == s) {
                    break;
                }
            }
            if (allocated) {
                chunks.add(chunk(s, n));
                budget -= n;
            }
        }
        if (preempted.isEmpty()) {
            budget = startWaiting(budget, chunks, preempted);
        }
        return new SchedulerOutput<>(chunks, preempted, config.maxBatchedTokens() - budget);
    }

    /** Starts waiting sequences while there is budget, a free slot and memory; returns the budget left. */
    private int startWaiting(int budget, List<SchedulerOutput.Chunk<S>> chunks, List<S> preempted) {
        while (budget > 0 && running.size() < config.maxNumSeqs() && !waiting.isEmpty()) {
            S s = waiting.first();
            ComputedBlocks hit = kv.computedBlocks(s.tokenArray(), s.numTokens());
            int n = Math.min(s.numTokens() - hit.numTokens(), budget);
            if (s.cache == null) {
                s.cache = kv.newCache();
            }
            if (!kv.allocateSlots(s.cache, 0, n, hit)) {
                S victim = running.isEmpty() ? null : lowestRunning();
                if (victim == null || victim.priority() >= s.priority()) {
                    break;
                }
                budget += unschedule(victim, chunks);
                preempt(victim);
                preempted.add(victim);
                continue;
            }
            waiting.remove(s);
            if (s.numPreemptions == 0 && s.numComputedTokens == 0) {
                s.numCachedPromptTokens = Math.min(hit.numTokens(), s.numPromptTokens());
            }
            s.numComputedTokens = hit.numTokens();
            s.status = ScheduledSequence.Status.RUNNING;
            running.add(s);
            chunks.add(chunk(s, n));
            budget -= n;
        }
        return budget;
    }

    private SchedulerOutput.Chunk<S> chunk(S s, int n) {
        int start = s.numComputedTokens;
        return new SchedulerOutput.Chunk<>(s, start, n, start + n == s.numTokens());
    }

    /** Removes {@code s}'s chunk from this step's plan; returns its tokens (0 if it had none). */
    private int unschedule(S s, List<SchedulerOutput.Chunk<S>> chunks) {
        for (int i = 0; i < chunks.size(); i++) {
            if (chunks.get(i).sequence() == s) {
                return chunks.remove(i).numTokens();
            }
        }
        return 0;
    }

    private S lowestRunning() {
        S lowest = null;
        for (S s : running) {
            if (lowest == null || ORDER.compare(s, lowest) > 0) {
                lowest = s;
            }
        }
        return lowest;
    }

    /** Frees {@code s}'s memory and requeues it to be recomputed (its tokens are kept). */
    private void preempt(S s) {
        running.remove(s);
        freeCache(s);
        s.numComputedTokens = 0;
        s.numPreemptions++;
        s.status = ScheduledSequence.Status.WAITING;
        waiting.add(s);
        numPreemptions++;
    }

    private void freeCache(S s) {
        if (s.cache != null) {
            kv.free(s.cache);
            s.cache = null;
        }
    }

    /**
     * Records that the step planned by {@code output} ran: computed tokens advance and newly full
     * blocks enter the prefix cache. Called by the engine after a successful forward pass and
     * before it samples (a chunk with {@code sampleAfter} then gets its next token appended).
     */
    public void stepDone(SchedulerOutput<S> output) {
        for (SchedulerOutput.Chunk<S> c : output.chunks()) {
            S s = c.sequence();
            if (s.status != ScheduledSequence.Status.RUNNING) {
                continue; // finished meanwhile
            }
            s.numComputedTokens = c.start() + c.numTokens();
            kv.cacheFullBlocks(s.cache, s.tokenArray(), s.numComputedTokens);
        }
    }
}
