package dev.strata.server.testengine;

import dev.strata.engine.EngineException;
import dev.strata.engine.generate.Engine;
import dev.strata.engine.generate.GenerationEvent;
import dev.strata.engine.generate.GenerationRequest;
import dev.strata.engine.generate.ModelInfo;
import dev.strata.engine.generate.TokenStream;
import dev.strata.engine.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A deterministic engine for server tests. Each request runs on its own thread; each step emits one
 * lower-case letter or space chosen from a hash of the sequence so far (greedy) or from a seeded
 * random (temperature > 0), ends with EOS when the hash says so, honours maxTokens, stop strings,
 * logprobs and cancel, and can be slowed down ({@code stepNanos}) to make disconnects observable.
 * It records what it was asked and how many steps each request ran after its cancel.
 */
public final class TestEngine implements Engine {
    private final ModelInfo info;
    private final ByteTokenizer tokenizer = new ByteTokenizer();
    private final long stepNanos;
    private final List<GenerationRequest> submitted = new CopyOnWriteArrayList<>();
    private final Map<String, Stream> streams = new ConcurrentHashMap<>();
    private final Map<String, CountDownLatch> finished = new ConcurrentHashMap<>();
    private volatile boolean closed;

    public TestEngine(String name, int contextLength, long stepNanos) {
        this.info = new ModelInfo(name, "test", contextLength, tokenizer.vocabSize(), "F32", 1234);
        this.stepNanos = stepNanos;
    }

    @Override
    public ModelInfo modelInfo() {
        return info;
    }

    @Override
    public Tokenizer tokenizer() {
        return tokenizer;
    }

    public List<GenerationRequest> submitted() {
        return List.copyOf(submitted);
    }

    /** Tokens request {@code id} produced after cancel() was called (null if it never was). */
    public Integer stepsAfterCancel(String id) {
        Stream s = streams.get(id);
        return s == null || s.producedAtCancel < 0 ? null : s.produced - s.producedAtCancel;
    }

    /** Tokens request {@code id} had produced when cancel() was called (null if it never was). */
    public Integer producedAtCancel(String id) {
        Stream s = streams.get(id);
        return s == null || s.producedAtCancel < 0 ? null : s.producedAtCancel;
    }

    /** Waits until request {@code id} has left the engine; false on timeout or unknown id. */
    public boolean awaitFinished(String id, long timeout, TimeUnit unit) throws InterruptedException {
        CountDownLatch latch = finished.get(id);
        return latch != null && latch.await(timeout, unit);
    }

    @Override
    public TokenStream submit(GenerationRequest request) {
        if (closed) {
            throw new EngineException.InvalidRequest("engine is closed");
        }
        if (request.promptTokens().length >= info.contextLength()) {
            throw new EngineException.InvalidRequest("prompt does not fit the context");
        }
        submitted.add(request);
        Stream stream = new Stream(request.id());
        streams.put(request.id(), stream);
        finished.put(request.id(), new CountDownLatch(1));
        Thread.ofVirtual().name("test-engine-" + request.id()).start(() -> run(request, stream));
        return stream;
    }

    private void run(GenerationRequest request, Stream stream) {
        int[] prompt = request.promptTokens();
        long hash = 1469598103934665603L;
        for (int t : prompt) {
            hash = (hash ^ t) * 1099511628211L;
        }
        SplittableRandom random = new SplittableRandom(request.sampling().seed() == null ? System.nanoTime()
                : request.sampling().seed());
        StringBuilder text = new StringBuilder();
        int produced = 0;
        int limit = Math.min(request.maxTokens(), info.contextLength() - prompt.length);
        GenerationEvent.FinishReason reason = GenerationEvent.FinishReason.LENGTH;
        while (produced < limit) {
            if (stream.producedAtCancel >= 0) {
                reason = GenerationEvent.FinishReason.CANCELLED;
                break;
            }
            if (stepNanos > 0) {
                LockSupport.parkNanos(stepNanos);
            }
            long pick = request.sampling().isGreedy() ? Math.floorMod(hash >>> 17, 1000) : random.nextInt(1000);
            produced++;
            stream.produced = produced;
            if (!request.ignoreEos() && pick < 25 && produced > 2) {
                reason = GenerationEvent.FinishReason.STOP;
                break;
            }
            int token = pick % 6 == 0 ? ' ' : 'a' + (int) (pick % 26);
            hash = (hash ^ token) * 1099511628211L;
            text.append((char) token);
            String stop = request.stop().stream().filter(s -> text.toString().endsWith(s)).findFirst().orElse(null);
            if (stop != null) {
                reason = GenerationEvent.FinishReason.STOP;
                break;
            }
            stream.events.add(new GenerationEvent.Token(token, String.valueOf((char) token),
                    request.topLogprobs() < 0 ? Float.NaN : -0.5f, alternatives(token, request.topLogprobs())));
        }
        stream.events.add(new GenerationEvent.Finished(reason,
                new GenerationEvent.Usage(prompt.length, produced, 0), new GenerationEvent.Timings(0, 0, 0)));
        finished.get(request.id()).countDown();
    }

    private static List<GenerationEvent.TokenLogprob> alternatives(int token, int count) {
        List<GenerationEvent.TokenLogprob> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int id = i == 0 ? token : 'a' + (token + i) % 26;
            out.add(new GenerationEvent.TokenLogprob(id, String.valueOf((char) id), -0.5f - i));
        }
        return out;
    }

    @Override
    public void close() {
        closed = true;
    }

    private final class Stream implements TokenStream {
        private final String id;
        private final BlockingQueue<GenerationEvent> events = new LinkedBlockingQueue<>();
        private volatile int producedAtCancel = -1;
        private volatile int produced;
        private GenerationEvent terminal;

        Stream(String id) {
            this.id = id;
        }

        @Override
        public String requestId() {
            return id;
        }

        @Override
        public GenerationEvent next() throws InterruptedException {
            if (terminal != null) {
                return terminal;
            }
            GenerationEvent e = events.take();
            if (e.isTerminal()) {
                terminal = e;
            }
            return e;
        }

        @Override
        public GenerationEvent poll(long timeout, TimeUnit unit) throws InterruptedException {
            if (terminal != null) {
                return terminal;
            }
            GenerationEvent e = events.poll(timeout, unit);
            if (e != null && e.isTerminal()) {
                terminal = e;
            }
            return e;
        }

        @Override
        public void cancel() {
            synchronized (this) {
                if (producedAtCancel < 0) {
                    producedAtCancel = produced;
                }
            }
        }
    }
}
