package dev.strata.engine.generate;

import dev.strata.engine.EngineException;
import dev.strata.engine.generate.GenerationEvent.FinishReason;
import dev.strata.engine.gguf.GgmlType;
import dev.strata.engine.gguf.GgufFile;
import dev.strata.engine.gguf.GgufTensorInfo;
import dev.strata.engine.kv.BlockPool;
import dev.strata.engine.kv.DiskPrefixStore;
import dev.strata.engine.kv.KvCacheManager;
import dev.strata.engine.kv.PrefixStore;
import dev.strata.engine.model.ForwardBatch;
import dev.strata.engine.model.ForwardState;
import dev.strata.engine.model.Model;
import dev.strata.engine.model.ModelConfig;
import dev.strata.engine.sched.ScheduledSequence;
import dev.strata.engine.sched.Scheduler;
import dev.strata.engine.sched.SchedulerConfig;
import dev.strata.engine.sched.SchedulerOutput;
import dev.strata.engine.sample.Sampler;
import dev.strata.engine.sample.SamplingParams;
import dev.strata.engine.tensor.ComputePool;
import dev.strata.engine.tensor.FloatTensor;
import dev.strata.engine.tokenizer.TokenDecoder;
import dev.strata.engine.tokenizer.Tokenizer;
import dev.strata.engine.tokenizer.Tokenizers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * The embedded engine: one GGUF model, one {@link ComputePool}, and one platform thread (the loop)
 * that steps every active sequence together. Each step is one batched forward pass holding one
 * decode token of every generating sequence plus prompt chunks of new ones, up to
 * {@code maxBatchTokens} (so a long prompt never stalls the others for more than a step); then each
 * sequence whose logits were computed samples its next token and publishes it. New requests join at
 * the next step, finished and cancelled ones leave at once and free their KV cache.
 *
 * <p>{@link #submit} is thread-safe and never blocks on generation. A later scheduler (paged KV,
 * priorities, preemption) replaces the loop's internals behind the same {@link Engine} interface.
 */
public final class LocalEngine implements Engine {
    private final GgufFile gguf;
    private final ComputePool pool;
    private final Model model;
    private final Tokenizer tokenizer;
    private final ModelInfo info;
    private final EngineOptions options;
    private final int contextLength;
    private final LongSupplier nanoClock;
    /** Queued by {@link #close} to wake an idle loop; never run. */
    private static final Sequence WAKE_UP = new Sequence(
            GenerationRequest.of("wake-up", new int[] {0}, SamplingParams.GREEDY, 0), 1,
            new QueueTokenStream("wake-up"), null, 0);
    private final LinkedBlockingDeque<Sequence> submitted = new LinkedBlockingDeque<>();
    /** Submitted requests that have not started (or ended) yet: the bounded waiting queue. */
    private final AtomicInteger numQueued = new AtomicInteger();
    private final Thread loop;
    private volatile boolean closed;
    private volatile int numRunning;
    private volatile int numWaiting;
    private volatile double kvCacheUsage;
    private volatile long numPreemptions;
    private volatile long prefixQueries;
    private volatile long prefixHits;
    private volatile long prefixEvictions;
    private final FaultInjector faults;
    private final StepListener steps;

    // Loop-thread state: allocated once.
    private final BlockPool blockPool;
    /** The prefix cache's disk level, or null. */
    private final DiskPrefixStore diskStore;
    private volatile long kvDiskLoads;
    private final KvCacheManager kvManager;
    private final Scheduler<Sequence> scheduler;
    private final ForwardBatch batch;
    private final ForwardState state;
    private final int[] topIds = new int[20];
    private final float[] topLogprobs = new float[20];

    LocalEngine(GgufFile gguf, ComputePool pool, Model model, Tokenizer tokenizer, EngineOptions options,
            LongSupplier nanoClock, StepListener steps, FaultInjector faults, PrefixStore prefixStore) {
        this.steps = steps;
        this.gguf = gguf;
        this.pool = pool;
        this.model = model;
        this.tokenizer = tokenizer;
        this.options = options;
        this.nanoClock = nanoClock;
        ModelConfig config = model.config();
        if (options.contextLength() > config.contextLength()) {
            throw new IllegalArgumentException("contextLength " + options.contextLength()
                    + " exceeds the model's context_length " + config.contextLength());
        }
        this.contextLength = options.contextLength() == 0 ? config.contextLength() : options.contextLength();
        this.info = new ModelInfo(config.name(), config.architecture().ggufName(), contextLength, config.vocabSize(),
                dominantType(gguf).name(), parameterCount(gguf));
        this.batch = new ForwardBatch(options.maxBatchTokens());
        this.state = model.newState(options.maxBatchTokens(), options.maxSequences());
        this.blockPool = BlockPool.ofBudget(kvMemoryBytes(options, config, contextLength), options.blockSize(),
                config.numLayers(), config.keyWidth(), config.valueWidth(), options.kvCacheType(), prefixStore);
        this.diskStore = prefixStore instanceof DiskPrefixStore d ? d : null;
        this.kvManager = new KvCacheManager(blockPool);
        this.scheduler = new Scheduler<>(kvManager,
                new SchedulerConfig(options.maxSequences(), options.maxBatchTokens(), options.maxWaiting()));
        this.faults = faults;
        this.loop = new Thread(this::runLoop, "strata-engine-" + config.name());
        this.loop.setDaemon(true);
        this.loop.start();
    }

    /** Opens {@code path} with the tokenizer its metadata describes; see {@link #open(Path, EngineOptions, Function)}. */
    public static LocalEngine open(Path path, EngineOptions options) {
        return open(path, options, Tokenizers::fromGguf);
    }

    /**
     * Opens {@code path}, maps its weights and starts the loop.
     *
     * @param tokenizers builds the tokenizer from the file's metadata
     * @throws EngineException for a missing, corrupt or unsupported model file
     */
    public static LocalEngine open(Path path, EngineOptions options, Function<GgufFile, Tokenizer> tokenizers) {
        return open(path, options, tokenizers, StepListener.NONE);
    }

    /**
     * As {@link #open(Path, EngineOptions, Function)}, telling {@code steps} about every forward pass.
     */
    public static LocalEngine open(Path path, EngineOptions options, Function<GgufFile, Tokenizer> tokenizers,
            StepListener steps) {
        return open(path, options, tokenizers, steps, FaultInjector.NONE);
    }

    /** As above, with faults injected before forward passes (tests). */
    static LocalEngine open(Path path, EngineOptions options, Function<GgufFile, Tokenizer> tokenizers,
            StepListener steps, FaultInjector faults) {
        GgufFile gguf = GgufFile.open(path);
        ComputePool pool = null;
        try {
            pool = new ComputePool(options.threads());
            Model model = Model.load(gguf, pool);
            Tokenizer tokenizer = tokenizers.apply(gguf);
            if (tokenizer.vocabSize() > model.config().vocabSize()) {
                throw new EngineException.InvalidModelFile("tokenizer has " + tokenizer.vocabSize()
                        + " tokens but the model only " + model.config().vocabSize());
            }
            return new LocalEngine(gguf, pool, model, tokenizer, options, System::nanoTime, steps, faults,
                    prefixStore(path, gguf, options));
        } catch (RuntimeException e) {
            if (pool != null) {
                pool.close();
            }
            gguf.close();
            throw e;
        }
    }

    /** The disk store {@link EngineOptions#kvCacheDisk()} asks for, or none. */
    private static PrefixStore prefixStore(Path path, GgufFile gguf, EngineOptions options) {
        KvCacheDisk disk = options.kvCacheDisk();
        if (disk == null) {
            return PrefixStore.NONE;
        }
        try {
            return new DiskPrefixStore(disk.dir(), disk.maxBytes(),
                    ModelFingerprint.of(path, gguf.dataOffset(), options.kvCacheType(), options.blockSize()));
        } catch (java.io.UncheckedIOException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    @Override
    public ModelInfo modelInfo() {
        return info;
    }

    @Override
    public Tokenizer tokenizer() {
        return tokenizer;
    }

    public Model model() {
        return model;
    }

    /**
     * Runs the kernels of this model's weight types until the JIT has compiled them
     * ({@link FloatTensor#warmUp}), so that the first request does not run Vector API code in the
     * interpreter. Costs about a second per type on a busy core: servers call it after loading
     * (GgufModelLoader); one-shot commands that care about time to first token skip it.
     */
    public void warmUpKernels() {
        FloatTensor.warmUp(model.weights().matrixTypes());
    }

    /** Sequences holding KV memory and stepped together, as of the last step. */
    public int runningSequences() {
        return numRunning;
    }

    /** Admitted requests waiting for a free sequence slot, as of the last step. */
    public int waitingSequences() {
        return numWaiting;
    }

    @Override
    public EngineStats stats() {
        return new EngineStats(numRunning, numWaiting, kvCacheUsage, numPreemptions, prefixQueries, prefixHits,
                prefixEvictions);
    }

    /** Blocks of the KV pool (for tests and metrics). */
    public int kvBlocks() {
        return blockPool.numBlocks();
    }

    /** Bytes the KV pool holds, at most {@link EngineOptions#kvMemoryBytes()}. */
    public long kvSizeBytes() {
        return blockPool.sizeBytes();
    }

    /** Prefix blocks read back from {@link EngineOptions#kvCacheDisk()} so far, as of the last step. */
    public long kvDiskLoads() {
        return kvDiskLoads;
    }

    /** Bytes of block files in the KV cache directory (0 without one). */
    public long kvDiskBytes() {
        return diskStore == null ? 0 : diskStore.sizeBytes();
    }

    @Override
    public TokenStream submit(GenerationRequest request) {
        if (closed) {
            throw new IllegalStateException("engine is closed");
        }
        int[] prompt = request.promptTokens();
        if (prompt.length > contextLength) {
            throw new EngineException.InvalidRequest("prompt of " + prompt.length
                    + " tokens does not fit the context length of " + contextLength + " tokens");
        }
        int vocab = model.config().vocabSize();
        for (int token : prompt) {
            if (token < 0 || token >= vocab) {
                throw new EngineException.InvalidRequest("prompt token id " + token
                        + " is outside the vocabulary [0, " + vocab + ")");
            }
        }
        int maxTotal = (int) Math.min(contextLength, (long) prompt.length + request.maxTokens());
        if (!scheduler.fits(maxTotal)) {
            throw new EngineException.InvalidRequest("prompt of " + prompt.length + " tokens plus max_tokens "
                    + request.maxTokens() + " needs " + maxTotal + " tokens of KV memory but the whole pool holds "
                    + (long) blockPool.numBlocks() * blockPool.blockSize() + " tokens");
        }
        if (numQueued.get() >= options.maxWaiting()) {
            throw new EngineException.Overloaded("the engine's waiting queue is full (" + options.maxWaiting()
                    + " requests); retry later");
        }
        Sampler sampler = new Sampler(request.sampling(), vocab);
        QueueTokenStream stream = new QueueTokenStream(request.id());
        Sequence sequence = new Sequence(request, maxTotal, stream, sampler, nanoClock.getAsLong());
        numQueued.incrementAndGet();
        submitted.add(sequence);
        if (closed && submitted.remove(sequence)) {
            finish(sequence, FinishReason.CANCELLED); // raced with close(): the loop may be gone
        }
        return stream;
    }

    /** Requests submitted or waiting that have not started yet, as of now (the next one's queue position). */
    public int queuedRequests() {
        return numQueued.get();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        submitted.add(WAKE_UP); // the loop finishes its current step, then cancels everything left
        boolean interrupted = false;
        while (loop.isAlive()) {
            try {
                loop.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        cancelAll(new ArrayList<>(submitted)); // submitted while closing
        submitted.clear();
        blockPool.persistCachedBlocks(); // the loop is gone: this thread owns the pool now
        pool.close();
        gguf.close();
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- the loop --------------------------------------------------------------------------

    private void runLoop() {
        try {
            while (!closed) {
                if (!admit()) {
                    break;
                }
                if (scheduler.numRunning() + scheduler.numWaiting() > 0) {
                    step();
                }
                publishStats();
            }
        } finally {
            cancelAll(scheduler.running());
            cancelAll(scheduler.waiting());
            cancelAll(new ArrayList<>(submitted));
            submitted.clear();
        }
    }

    private void publishStats() {
        kvDiskLoads = blockPool.numStoreLoads();
        numRunning = scheduler.numRunning();
        numWaiting = scheduler.numWaiting();
        kvCacheUsage = Math.clamp(blockPool.usage(), 0.0, 1.0);
        numPreemptions = scheduler.numPreemptions();
        prefixQueries = kvManager.prefixQueries();
        prefixHits = kvManager.prefixHits();
        prefixEvictions = blockPool.numEvictedBlocks();
    }

    private void cancelAll(Collection<Sequence> sequences) {
        for (Sequence s : List.copyOf(sequences)) {
            if (s != WAKE_UP) {
                finish(s, FinishReason.CANCELLED);
            }
        }
    }

    /** Moves submitted requests to the scheduler, drops cancelled ones; waits when idle. False when closing. */
    private boolean admit() {
        if (scheduler.numRunning() + scheduler.numWaiting() == 0) {
            publishStats();
            try {
                Sequence first = submitted.take();
                submitted.addFirst(first);
            } catch (InterruptedException e) {
                return false;
            }
        }
        Sequence s;
        while ((s = submitted.poll()) != null) {
            if (s == WAKE_UP) {
                continue;
            }
            if (closed) {
                finish(s, FinishReason.CANCELLED);
                continue;
            }
            s.decoder = new TokenDecoder(tokenizer);
            s.outputText = new OutputText(s.request.stop());
            for (int i = 0; i < s.numPromptTokens(); i++) {
                s.sampler.accept(s.token(i));
                s.decoder.next(s.token(i)); // so the decoder knows what the output continues (e.g. after BOS)
            }
            if (s.request.maxTokens() == 0) {
                finish(s, FinishReason.LENGTH);
                continue;
            }
            scheduler.add(s);
        }
        if (closed) {
            return false;
        }
        for (Sequence w : scheduler.waiting()) {
            if (w.stream.isCancelled()) {
                finish(w, FinishReason.CANCELLED);
            }
        }
        for (Sequence r : List.copyOf(scheduler.running())) {
            if (r.stream.isCancelled()) {
                finish(r, FinishReason.CANCELLED);
            }
        }
        return true;
    }

    /** One forward pass over what the scheduler planned, then sampling. */
    private void step() {
        SchedulerOutput<Sequence> plan = scheduler.schedule();
        for (Sequence s : plan.chunks().stream().map(SchedulerOutput.Chunk::sequence).toList()) {
            if (s.startNanos == 0) {
                s.startNanos = nanoClock.getAsLong();
                numQueued.decrementAndGet();
            }
        }
        if (plan.isEmpty()) {
            return;
        }
        batch.clear();
        for (SchedulerOutput.Chunk<Sequence> c : plan.chunks()) {
            Sequence s = c.sequence();
            for (int p = c.start(); p < c.start() + c.numTokens(); p++) {
                batch.add(s.token(p), p, s.cache());
            }
            s.logitsRow = c.sampleAfter() ? batch.requestLogits() : -1;
        }
        float[] logits;
        try {
            faults.beforeForward(batch.size());
            logits = model.forward(batch, state);
        } catch (RuntimeException | OutOfMemoryError e) {
            EngineException error = asEngineException("forward pass failed", e);
            for (SchedulerOutput.Chunk<Sequence> c : plan.chunks()) {
                fail(c.sequence(), error);
            }
            return;
        }
        scheduler.stepDone(plan);
        steps.onStep(batch.size(), scheduler.numRunning());
        for (SchedulerOutput.Chunk<Sequence> c : plan.chunks()) {
            Sequence s = c.sequence();
            if (c.sampleAfter() && s.status() == ScheduledSequence.Status.RUNNING) {
                sampleOrFail(s, logits);
            }
        }
    }

    /** {@link #sampleNext}, ending only this sequence if it fails. */
    private void sampleOrFail(Sequence s, float[] logits) {
        try {
            sampleNext(s, logits);
        } catch (RuntimeException e) {
            fail(s, asEngineException("sampling failed", e));
        }
    }

    private static EngineException asEngineException(String what, Throwable e) {
        return e instanceof EngineException ee ? ee : new EngineException.Internal(what + ": " + e, e);
    }

    /** Samples and publishes one token of {@code s}, finishing it when done. */
    private void sampleNext(Sequence s, float[] logits) {
        int vocab = model.config().vocabSize();
        int token = s.sampler.sample(logits, s.logitsRow * vocab);
        s.sampler.accept(token);
        s.generated++;
        FinishReason reason = null;
        String text;
        if (!s.request.ignoreEos() && tokenizer.isEndOfGeneration(token)) {
            reason = FinishReason.STOP;
            text = "";
        } else {
            text = s.outputText.append(s.decoder.next(token));
            if (s.outputText.stopped()) {
                reason = FinishReason.STOP;
            }
        }
        if (reason == null && (s.generated >= s.request.maxTokens() || s.numTokens() >= s.maxTokens())) {
            reason = FinishReason.LENGTH;
        }
        if (reason != null && !s.outputText.stopped()) {
            text += s.outputText.append(s.decoder.flush()) + s.outputText.flush();
        }
        long now = nanoClock.getAsLong();
        if (s.generated == 1) {
            s.firstTokenNanos = now;
        }
        s.recordTokenTime(now);
        s.stream.publish(tokenEvent(s, token, text));
        if (reason != null) {
            finish(s, reason);
        } else {
            s.appendToken(token);
        }
    }

    private GenerationEvent.Token tokenEvent(Sequence s, int token, String text) {
        int n = s.request.topLogprobs();
        if (n < 0) {
            return new GenerationEvent.Token(token, text, Float.NaN, List.of());
        }
        int k = s.sampler.topLogprobs(n, topIds, topLogprobs);
        List<GenerationEvent.TokenLogprob> top = new ArrayList<>(k);
        for (int i = 0; i < k; i++) {
            top.add(new GenerationEvent.TokenLogprob(topIds[i], tokenString(topIds[i]), topLogprobs[i]));
        }
        return new GenerationEvent.Token(token, text, s.sampler.logprob(token), top);
    }

    private String tokenString(int id) {
        return new String(tokenizer.tokenBytes(id), StandardCharsets.UTF_8);
    }

    /** Frees the memory and publishes the terminal event. */
    private void finish(Sequence s, FinishReason reason) {
        long now = nanoClock.getAsLong();
        if (s.startNanos == 0 && s != WAKE_UP) {
            numQueued.decrementAndGet();
        }
        long start = s.startNanos == 0 ? now : s.startNanos;
        GenerationEvent.Usage usage = new GenerationEvent.Usage(s.numPromptTokens(), s.generated,
                s.numCachedPromptTokens());
        GenerationEvent.Timings timings = new GenerationEvent.Timings(start - s.submitNanos,
                s.firstTokenNanos == 0 ? 0 : s.firstTokenNanos - s.submitNanos, now - s.submitNanos, s.tokenTimes());
        scheduler.finish(s);
        s.stream.publish(new GenerationEvent.Finished(reason, usage, timings));
    }

    private void fail(Sequence s, EngineException error) {
        if (s.startNanos == 0) {
            numQueued.decrementAndGet();
        }
        scheduler.finish(s);
        s.stream.publish(new GenerationEvent.Failed(error));
    }

    /**
     * The KV budget: {@link EngineOptions#kvMemoryBytes()} when set, else room for
     * {@code maxSequences} full contexts, at most a quarter of the heap.
     */
    private static long kvMemoryBytes(EngineOptions options, ModelConfig c, int contextLength) {
        if (options.kvMemoryBytes() > 0) {
            return options.kvMemoryBytes();
        }
        long perBlock = BlockPool.bytesPerBlock(options.blockSize(), c.numLayers(), c.keyWidth(), c.valueWidth(),
                options.kvCacheType()) + BlockPool.BLOCK_OVERHEAD_BYTES;
        long blocksPerContext = (contextLength + options.blockSize() - 1) / options.blockSize();
        long wanted = perBlock * blocksPerContext * options.maxSequences();
        long cap = Math.max(Runtime.getRuntime().maxMemory() / 4, perBlock * blocksPerContext);
        return Math.min(wanted, cap);
    }

    // ---- model description -----------------------------------------------------------------

    /** The type holding most weight bytes among 2-D tensors (what "a Q8_0 model" means). */
    private static GgmlType dominantType(GgufFile gguf) {
        Map<GgmlType, Long> bytes = new EnumMap<>(GgmlType.class);
        for (GgufTensorInfo t : gguf.tensors()) {
            if (t.numDims() >= 2) {
                bytes.merge(t.type(), t.sizeBytes(), Long::sum);
            }
        }
        return bytes.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey).orElse(GgmlType.F32);
    }

    private static long parameterCount(GgufFile gguf) {
        long n = 0;
        for (GgufTensorInfo t : gguf.tensors()) {
            n += t.numElements();
        }
        return n;
    }
}
