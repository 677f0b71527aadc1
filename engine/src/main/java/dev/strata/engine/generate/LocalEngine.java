package dev.strata.engine.generate;

import dev.strata.engine.EngineException;
import dev.strata.engine.generate.GenerationEvent.FinishReason;
import dev.strata.engine.gguf.GgmlType;
import dev.strata.engine.gguf.GgufFile;
import dev.strata.engine.gguf.GgufTensorInfo;
import dev.strata.engine.kv.ContiguousKvCache;
import dev.strata.engine.model.ForwardBatch;
import dev.strata.engine.model.ForwardState;
import dev.strata.engine.model.Model;
import dev.strata.engine.model.ModelConfig;
import dev.strata.engine.sample.Sampler;
import dev.strata.engine.sample.SamplingParams;
import dev.strata.engine.tensor.ComputePool;
import dev.strata.engine.tokenizer.TokenDecoder;
import dev.strata.engine.tokenizer.Tokenizer;
import dev.strata.engine.tokenizer.Tokenizers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
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
            GenerationRequest.of("wake-up", new int[] {0}, SamplingParams.GREEDY, 0),
            new QueueTokenStream("wake-up"), null, 0);
    private final LinkedBlockingQueue<Sequence> submitted = new LinkedBlockingQueue<>();
    private final Thread loop;
    private volatile boolean closed;
    private volatile int numRunning;
    private volatile int numWaiting;
    private volatile double kvCacheUsage;
    private final StepListener steps;

    // Loop-thread state: allocated once.
    private final ArrayDeque<Sequence> waiting = new ArrayDeque<>();
    private final List<Sequence> running = new ArrayList<>();
    private final ForwardBatch batch;
    private final ForwardState state;
    private final int[] topIds = new int[20];
    private final float[] topLogprobs = new float[20];

    LocalEngine(GgufFile gguf, ComputePool pool, Model model, Tokenizer tokenizer, EngineOptions options,
            LongSupplier nanoClock, StepListener steps) {
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
            return new LocalEngine(gguf, pool, model, tokenizer, options, System::nanoTime, steps);
        } catch (RuntimeException e) {
            if (pool != null) {
                pool.close();
            }
            gguf.close();
            throw e;
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
        return new EngineStats(numRunning, numWaiting, kvCacheUsage, 0, 0, 0);
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
        Sampler sampler = new Sampler(request.sampling(), vocab);
        QueueTokenStream stream = new QueueTokenStream(request.id());
        Sequence sequence = new Sequence(request, stream, sampler, nanoClock.getAsLong());
        submitted.add(sequence);
        if (closed && submitted.remove(sequence)) {
            finish(sequence, FinishReason.CANCELLED); // raced with close(): the loop may be gone
        }
        return stream;
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
        cancelAll(submitted); // submitted while closing
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
                if (!running.isEmpty()) {
                    step();
                }
                numRunning = running.size();
                numWaiting = waiting.size();
                kvCacheUsage = kvCacheUsage();
            }
        } finally {
            cancelAll(running);
            cancelAll(waiting);
            cancelAll(submitted);
        }
    }

    private void cancelAll(Collection<Sequence> sequences) {
        for (Sequence s : sequences) {
            if (s != WAKE_UP) {
                finish(s, FinishReason.CANCELLED);
            }
        }
        sequences.clear();
    }

    /** KV positions the running sequences hold, over what {@code maxSequences} full contexts would. */
    private double kvCacheUsage() {
        long held = 0;
        for (Sequence s : running) {
            held += s.cache == null ? 0 : s.cache.capacity();
        }
        return Math.min(1.0, held / ((double) options.maxSequences() * contextLength));
    }

    /** Moves submitted requests in, drops cancelled ones; waits when idle. False when closing. */
    private boolean admit() {
        if (running.isEmpty() && waiting.isEmpty()) {
            numRunning = 0;
            numWaiting = 0;
            kvCacheUsage = 0;
            try {
                waiting.add(submitted.take());
            } catch (InterruptedException e) {
                return false;
            }
        }
        submitted.drainTo(waiting);
        waiting.remove(WAKE_UP);
        if (closed) {
            return false;
        }
        waiting.removeIf(s -> s.stream.isCancelled() && finish(s, FinishReason.CANCELLED));
        running.removeIf(s -> s.stream.isCancelled() && finish(s, FinishReason.CANCELLED));
        while (running.size() < options.maxSequences() && !waiting.isEmpty()) {
            Sequence s = waiting.poll();
            s.startNanos = nanoClock.getAsLong();
            if (s.request.maxTokens() == 0) {
                finish(s, FinishReason.LENGTH);
                continue;
            }
            try {
                start(s);
                running.add(s);
            } catch (RuntimeException | OutOfMemoryError e) {
                fail(s, asEngineException("cannot start the sequence", e));
            }
        }
        return true;
    }

    private void start(Sequence s) {
        ModelConfig c = model.config();
        int capacity = (int) Math.min(contextLength, (long) s.prompt.length + s.request.maxTokens());
        s.cache = new ContiguousKvCache(c.numLayers(), c.keyWidth(), c.valueWidth(), capacity);
        s.decoder = new TokenDecoder(tokenizer);
        s.outputText = new OutputText(s.request.stop());
        for (int token : s.prompt) {
            s.sampler.accept(token);
            s.decoder.next(token); // so the decoder knows what the output continues (e.g. after BOS)
        }
    }

    /** One forward pass over decode tokens and prompt chunks, then sampling. */
    private void step() {
        batch.clear();
        for (Sequence s : running) {
            s.logitsRow = -1;
            if (!s.isPrefilling()) {
                batch.add(s.pendingToken, s.position++, s.cache);
                s.logitsRow = batch.requestLogits();
            }
        }
        for (Sequence s : running) {
            while (s.isPrefilling() && batch.size() < batch.capacity()) {
                batch.add(s.prompt[s.promptFed++], s.position++, s.cache);
            }
            if (!s.isPrefilling() && s.logitsRow < 0 && s.pendingToken < 0) {
                s.logitsRow = batch.requestLogits();
            }
        }
        float[] logits;
        try {
            logits = model.forward(batch, state);
        } catch (RuntimeException | OutOfMemoryError e) {
            EngineException error = asEngineException("forward pass failed", e);
            for (Sequence s : running) {
                fail(s, error);
            }
            running.clear();
            return;
        }
        steps.onStep(batch.size(), running.size());
        running.removeIf(s -> s.logitsRow >= 0 && sampleOrFail(s, logits));
    }

    /** {@link #sampleNext}, ending only this sequence if it fails; true when it finished. */
    private boolean sampleOrFail(Sequence s, float[] logits) {
        try {
            return sampleNext(s, logits);
        } catch (RuntimeException e) {
            fail(s, asEngineException("sampling failed", e));
            return true;
        }
    }

    private static EngineException asEngineException(String what, Throwable e) {
        return e instanceof EngineException ee ? ee : new EngineException.Internal(what + ": " + e, e);
    }

    /** Samples and publishes one token of {@code s}; true when the sequence finished. */
    private boolean sampleNext(Sequence s, float[] logits) {
        int vocab = model.config().vocabSize();
        int token = s.sampler.sample(logits, s.logitsRow * vocab);
        s.sampler.accept(token);
        s.generated++;
        s.pendingToken = token;
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
        if (reason == null && (s.generated >= s.request.maxTokens() || s.position >= s.cache.capacity())) {
            reason = FinishReason.LENGTH;
        }
        if (reason != null && !s.outputText.stopped()) {
            text += s.outputText.append(s.decoder.flush()) + s.outputText.flush();
        }
        if (s.generated == 1) {
            s.firstTokenNanos = nanoClock.getAsLong();
        }
        s.stream.publish(tokenEvent(s, token, text));
        if (reason != null) {
            finish(s, reason);
            return true;
        }
        return false;
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

    /** Publishes the terminal event and frees the memory; returns true (for removeIf). */
    private boolean finish(Sequence s, FinishReason reason) {
        long now = nanoClock.getAsLong();
        long start = s.startNanos == 0 ? now : s.startNanos;
        GenerationEvent.Usage usage = new GenerationEvent.Usage(s.prompt.length, s.generated, 0);
        GenerationEvent.Timings timings = new GenerationEvent.Timings(start - s.submitNanos,
                s.firstTokenNanos == 0 ? 0 : s.firstTokenNanos - s.submitNanos, now - s.submitNanos);
        release(s);
        s.stream.publish(new GenerationEvent.Finished(reason, usage, timings));
        return true;
    }

    private void fail(Sequence s, EngineException error) {
        release(s);
        s.stream.publish(new GenerationEvent.Failed(error));
    }

    private static void release(Sequence s) {
        if (s.cache != null) {
            s.cache.release();
            s.cache = null;
        }
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
