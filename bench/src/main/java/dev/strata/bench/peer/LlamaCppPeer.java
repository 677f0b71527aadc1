package dev.strata.bench.peer;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * llama.cpp running one GGUF file in this process: tokenize, greedy generation from token ids with
 * the top-N of every next-token distribution, and prefill/decode timings. It is the oracle of the
 * parity tests and the peer of {@code ./strata bench engine}.
 *
 * <p>Method: the prompt is decoded in batches of {@link Options#batchSize()} tokens, then one token
 * per {@code llama_decode}; the next token is the argmax of {@code llama_get_logits_ith}; the
 * probabilities are a softmax (in double) over the full logit row, as llama.cpp's server computes
 * them for {@code n_probs} with temperature 0. The KV cache is cleared before each run.
 *
 * <p>Not thread-safe: one run at a time per peer.
 */
public final class LlamaCppPeer implements AutoCloseable {
    /** KV cache element type: F32 for parity (no rounding of K/V), F16 is llama.cpp's default. */
    public enum KvCacheType {
        F32(0), F16(1);

        final int ggmlType;

        KvCacheType(int ggmlType) {
            this.ggmlType = ggmlType;
        }
    }

    /** How to run: threads for decode and prefill, context size, prompt batch size, KV type. */
    public record Options(int threads, int contextSize, int batchSize, KvCacheType kvCache) {
        public Options {
            if (threads < 1) {
                throw new IllegalArgumentException("threads must be >= 1, got " + threads);
            }
            if (contextSize < 1) {
                throw new IllegalArgumentException("contextSize must be >= 1, got " + contextSize);
            }
            if (batchSize < 1) {
                throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize);
            }
            Objects.requireNonNull(kvCache, "kvCache");
        }

        /** Parity settings: F32 KV cache, prompt batches of up to 512 tokens. */
        public static Options forParity(int threads, int contextSize) {
            return new Options(threads, contextSize, Math.min(512, contextSize), KvCacheType.F32);
        }

        /** llama.cpp's own defaults (F16 KV cache, batches of 512): what its users run. */
        public static Options forBench(int threads, int contextSize) {
            return new Options(threads, contextSize, Math.min(512, contextSize), KvCacheType.F16);
        }
    }

    private final LlamaCppLibrary lib;
    private final Options options;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment model;
    private final MemorySegment vocab;
    private final MemorySegment context;
    private final int vocabSize;
    private final MemorySegment batchTokens;
    private final MemorySegment batchPositions;
    private final MemorySegment batchSeqCounts;
    private final MemorySegment batchSeqIds;
    private final MemorySegment batchLogitFlags;
    private final MemorySegment batch;
    private boolean closed;

    private LlamaCppPeer(LlamaCppLibrary lib, Path file, Options options) throws Throwable {
        this.lib = lib;
        this.options = options;
        LlamaCppLibrary.takeLastError();
        MemorySegment modelParams = (MemorySegment) lib.modelDefaultParams.invokeExact((SegmentAllocator) arena);
        modelParams.set(JAVA_INT, LlamaCppLibrary.MODEL_PARAMS_N_GPU_LAYERS, 0);
        MemorySegment path = arena.allocateFrom(file.toString());
        model = (MemorySegment) lib.modelLoadFromFile.invokeExact(path, modelParams);
        if (model.equals(MemorySegment.NULL)) {
            throw new LlamaCppException("llama.cpp cannot load " + file + ": " + LlamaCppLibrary.takeLastError());
        }
        vocab = (MemorySegment) lib.modelGetVocab.invokeExact(model);
        vocabSize = (int) lib.vocabNTokens.invokeExact(vocab);

        MemorySegment ctxParams = (MemorySegment) lib.contextDefaultParams.invokeExact((SegmentAllocator) arena);
        ctxParams.set(JAVA_INT, LlamaCppLibrary.CTX_N_CTX, options.contextSize());
        ctxParams.set(JAVA_INT, LlamaCppLibrary.CTX_N_BATCH, options.batchSize());
        ctxParams.set(JAVA_INT, LlamaCppLibrary.CTX_N_UBATCH, options.batchSize());
        ctxParams.set(JAVA_INT, LlamaCppLibrary.CTX_N_SEQ_MAX, 1);
        ctxParams.set(JAVA_INT, LlamaCppLibrary.CTX_N_THREADS, options.threads());
        ctxParams.set(JAVA_INT, LlamaCppLibrary.CTX_N_THREADS_BATCH, options.threads());
        ctxParams.set(JAVA_INT, LlamaCppLibrary.CTX_TYPE_K, options.kvCache().ggmlType);
        ctxParams.set(JAVA_INT, LlamaCppLibrary.CTX_TYPE_V, options.kvCache().ggmlType);
        context = (MemorySegment) lib.initFromModel.invokeExact(model, ctxParams);
        if (context.equals(MemorySegment.NULL)) {
            lib.modelFree.invokeExact(model);
            throw new LlamaCppException("llama.cpp cannot create a context for " + file + ": "
                    + LlamaCppLibrary.takeLastError());
        }

        int n = options.batchSize();
        batchTokens = arena.allocate(JAVA_INT, n);
        batchPositions = arena.allocate(JAVA_INT, n);
        batchSeqCounts = arena.allocate(JAVA_INT, n);
        batchSeqIds = arena.allocate(ADDRESS, n);
        batchLogitFlags = arena.allocate(JAVA_BYTE, n);
        MemorySegment seqZero = arena.allocate(JAVA_INT);
        for (int i = 0; i < n; i++) {
            batchSeqCounts.setAtIndex(JAVA_INT, i, 1);
            batchSeqIds.setAtIndex(ADDRESS, i, seqZero);
        }
        batch = arena.allocate(LlamaCppLibrary.BATCH);
        batch.set(ADDRESS, 8, batchTokens);
        batch.set(ADDRESS, 16, MemorySegment.NULL);
        batch.set(ADDRESS, 24, batchPositions);
        batch.set(ADDRESS, 32, batchSeqCounts);
        batch.set(ADDRESS, 40, batchSeqIds);
        batch.set(ADDRESS, 48, batchLogitFlags);
    }

    /** Loads {@code file} into llama.cpp; a one-line {@link LlamaCppException} when it cannot. */
    public static LlamaCppPeer open(Path file, Options options) {
        Objects.requireNonNull(options, "options");
        if (!Files.isRegularFile(file)) {
            throw new LlamaCppException("no such model file: " + file);
        }
        LlamaCppLibrary lib = LlamaCppLibrary.get();
        try {
            return new LlamaCppPeer(lib, file, options);
        } catch (Throwable t) {
            throw LlamaCppException.wrap("loading " + file, t);
        }
    }

    /** Which llama.cpp this is, for reports. */
    public static String describe() {
        return "llama.cpp " + LlamaCppLibrary.BUILD + " (de.kherud:llama 4.2.0, CPU)";
    }

    public int vocabSize() {
        return vocabSize;
    }

    public Options options() {
        return options;
    }

    /** llama.cpp's tokenization of {@code text}; {@code addSpecial} adds BOS/EOS as the model's metadata says. */
    public int[] tokenize(String text, boolean addSpecial) {
        checkOpen();
        try (Arena local = Arena.ofConfined()) {
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            MemorySegment in = local.allocate(bytes.length + 1L);
            MemorySegment.copy(bytes, 0, in, JAVA_BYTE, 0, bytes.length);
            int capacity = bytes.length + 8;
            MemorySegment out = local.allocate(JAVA_INT, capacity);
            int n = (int) lib.tokenize.invokeExact(vocab, in, bytes.length, out, capacity, addSpecial, true);
            if (n < 0) {
                capacity = -n;
                out = local.allocate(JAVA_INT, capacity);
                n = (int) lib.tokenize.invokeExact(vocab, in, bytes.length, out, capacity, addSpecial, true);
            }
            if (n < 0) {
                throw new LlamaCppException("llama_tokenize failed (" + n + ")");
            }
            return out.asSlice(0, n * 4L).toArray(JAVA_INT);
        } catch (Throwable t) {
            throw LlamaCppException.wrap("llama_tokenize", t);
        }
    }

    /** The bytes llama.cpp prints for {@code token} (special tokens rendered). */
    public byte[] tokenPiece(int token) {
        checkOpen();
        checkToken(token);
        try (Arena local = Arena.ofConfined()) {
            MemorySegment buf = local.allocate(256);
            int n = (int) lib.tokenToPiece.invokeExact(vocab, token, buf, 256, 0, true);
            if (n < 0) {
                buf = local.allocate(-n);
                n = (int) lib.tokenToPiece.invokeExact(vocab, token, buf, -n, 0, true);
            }
            return buf.asSlice(0, Math.max(0, n)).toArray(JAVA_BYTE);
        } catch (Throwable t) {
            throw LlamaCppException.wrap("llama_token_to_piece", t);
        }
    }

    /**
     * Greedy generation of {@code steps} tokens after {@code prompt} (never stops early, EOS
     * included), with the top {@code topN} probabilities of each step (0 for none).
     */
    public PeerGeneration generate(int[] prompt, int steps, int topN) {
        checkOpen();
        if (prompt.length == 0) {
            throw new IllegalArgumentException("prompt must not be empty");
        }
        if (steps < 1 || topN < 0) {
            throw new IllegalArgumentException("steps must be >= 1 and topN >= 0");
        }
        if (prompt.length + steps > options.contextSize()) {
            throw new IllegalArgumentException("prompt (" + prompt.length + ") + steps (" + steps
                    + ") exceed the context size " + options.contextSize());
        }
        for (int token : prompt) {
            checkToken(token);
        }
        clearCache();
        int[] generated = new int[steps];
        List<TokenProb[]> topProbs = new ArrayList<>();
        long start = System.nanoTime();
        for (int from = 0; from < prompt.length; from += options.batchSize()) {
            int to = Math.min(prompt.length, from + options.batchSize());
            decode(prompt, from, to, from, false);
        }
        MemorySegment logits = logitsRow(-1);
        int next = argmax(logits);
        long prefillNanos = System.nanoTime() - start;
        long decodeNanos = 0;
        int position = prompt.length;
        int[] one = new int[1];
        for (int i = 0; i < steps; i++) {
            generated[i] = next;
            if (topN > 0) {
                topProbs.add(topProbabilities(logits, topN));
            }
            if (i + 1 == steps) {
                break;
            }
            one[0] = next;
            long t0 = System.nanoTime();
            decode(one, 0, 1, position++, false);
            logits = logitsRow(-1);
            next = argmax(logits);
            decodeNanos += System.nanoTime() - t0;
        }
        return new PeerGeneration(prompt.clone(), generated, topProbs, prefillNanos, decodeNanos);
    }

    /** The top {@code topN} next-token probabilities at every position of {@code prompt}. */
    public List<TokenProb[]> promptTopProbs(int[] prompt, int topN) {
        checkOpen();
        if (prompt.length == 0 || prompt.length > options.contextSize() || topN < 1) {
            throw new IllegalArgumentException("prompt length must be in [1, context size] and topN >= 1");
        }
        for (int token : prompt) {
            checkToken(token);
        }
        clearCache();
        List<TokenProb[]> result = new ArrayList<>(prompt.length);
        for (int from = 0; from < prompt.length; from += options.batchSize()) {
            int to = Math.min(prompt.length, from + options.batchSize());
            decode(prompt, from, to, from, true);
            for (int i = 0; i < to - from; i++) {
                result.add(topProbabilities(logitsRow(i), topN));
            }
        }
        return result;
    }

    /**
     * Full logits after every position of {@code tokens} (teacher forcing: row {@code i} predicts
     * token {@code i + 1}), decoded in batches with logits for every token.
     */
    public List<float[]> logitsAtEveryPosition(int[] tokens) {
        checkOpen();
        if (tokens.length == 0 || tokens.length > options.contextSize()) {
            throw new IllegalArgumentException("token count must be in [1, context size " + options.contextSize() + "]");
        }
        for (int token : tokens) {
            checkToken(token);
        }
        clearCache();
        List<float[]> rows = new ArrayList<>(tokens.length);
        for (int from = 0; from < tokens.length; from += options.batchSize()) {
            int to = Math.min(tokens.length, from + options.batchSize());
            decode(tokens, from, to, from, true);
            for (int i = 0; i < to - from; i++) {
                rows.add(logitsRow(i).toArray(JAVA_FLOAT));
            }
        }
        return rows;
    }

    /** Full logits of the last position of {@code prompt} (a copy). */
    public float[] lastLogits(int[] prompt) {
        checkOpen();
        clearCache();
        for (int from = 0; from < prompt.length; from += options.batchSize()) {
            decode(prompt, from, Math.min(prompt.length, from + options.batchSize()), from, false);
        }
        return logitsRow(-1).toArray(JAVA_FLOAT);
    }

    private void clearCache() {
        try {
            lib.kvSelfClear.invokeExact(context);
        } catch (Throwable t) {
            throw LlamaCppException.wrap("llama_kv_self_clear", t);
        }
    }

    /** Decodes tokens[from, to) at positions start...; logits for every token or only the last. */
    private void decode(int[] tokens, int from, int to, int startPosition, boolean allLogits) {
        int n = to - from;
        for (int i = 0; i < n; i++) {
            batchTokens.setAtIndex(JAVA_INT, i, tokens[from + i]);
            batchPositions.setAtIndex(JAVA_INT, i, startPosition + i);
            batchLogitFlags.setAtIndex(JAVA_BYTE, i, (byte) (allLogits || i == n - 1 ? 1 : 0));
        }
        batch.set(JAVA_INT, 0, n);
        int rc;
        try {
            rc = (int) lib.decode.invokeExact(context, batch);
        } catch (Throwable t) {
            throw LlamaCppException.wrap("llama_decode", t);
        }
        if (rc != 0) {
            throw new LlamaCppException("llama_decode returned " + rc + ": " + LlamaCppLibrary.takeLastError());
        }
    }

    private MemorySegment logitsRow(int index) {
        MemorySegment row;
        try {
            row = (MemorySegment) lib.getLogitsIth.invokeExact(context, index);
        } catch (Throwable t) {
            throw LlamaCppException.wrap("llama_get_logits_ith", t);
        }
        if (row.equals(MemorySegment.NULL)) {
            throw new LlamaCppException("llama.cpp has no logits for batch row " + index);
        }
        return row.reinterpret(vocabSize * 4L);
    }

    /** Index of the largest logit, the lowest index on ties (as llama.cpp's greedy sampler). */
    private int argmax(MemorySegment logits) {
        int best = 0;
        float bestValue = logits.getAtIndex(JAVA_FLOAT, 0);
        for (int i = 1; i < vocabSize; i++) {
            float v = logits.getAtIndex(JAVA_FLOAT, i);
            if (v > bestValue) {
                bestValue = v;
                best = i;
            }
        }
        return best;
    }

    private TokenProb[] topProbabilities(MemorySegment logits, int n) {
        return TokenProb.top(logits, vocabSize, n);
    }

    private void checkToken(int token) {
        if (token < 0 || token >= vocabSize) {
            throw new IllegalArgumentException("token " + token + " is outside the vocabulary [0, " + vocabSize + ")");
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("peer is closed");
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            lib.free.invokeExact(context);
            lib.modelFree.invokeExact(model);
        } catch (Throwable t) {
            throw LlamaCppException.wrap("llama_free", t);
        } finally {
            arena.close();
        }
    }
}
