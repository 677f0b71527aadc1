package dev.strata.bench.peer;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * llama.cpp's tokenizer alone: a GGUF loaded with {@code vocab_only} (so vocabulary-only files
 * such as llama.cpp's {@code ggml-vocab-*.gguf} work), for tokenizer parity checks and speed
 * comparisons. Not thread-safe; close it when done.
 */
public final class LlamaCppVocab implements AutoCloseable {
    /** {@code bool vocab_only} in {@code struct llama_model_params}, just before {@code use_mmap}. */
    private static final long MODEL_PARAMS_VOCAB_ONLY = LlamaCppLibrary.MODEL_PARAMS_USE_MMAP - 1;

    private final LlamaCppLibrary lib;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment model;
    private final MemorySegment vocab;
    private final int vocabSize;
    private boolean closed;

    private LlamaCppVocab(LlamaCppLibrary lib, Path file) throws Throwable {
        this.lib = lib;
        LlamaCppLibrary.takeLastError();
        MemorySegment params = (MemorySegment) lib.modelDefaultParams.invokeExact((SegmentAllocator) arena);
        params.set(JAVA_INT, LlamaCppLibrary.MODEL_PARAMS_N_GPU_LAYERS, 0);
        params.set(JAVA_BYTE, MODEL_PARAMS_VOCAB_ONLY, (byte) 1);
        MemorySegment path = arena.allocateFrom(file.toString());
        model = (MemorySegment) lib.modelLoadFromFile.invokeExact(path, params);
        if (model.equals(MemorySegment.NULL)) {
            arena.close();
            throw new LlamaCppException("llama.cpp cannot load the vocabulary of " + file + ": "
                    + LlamaCppLibrary.takeLastError());
        }
        vocab = (MemorySegment) lib.modelGetVocab.invokeExact(model);
        vocabSize = (int) lib.vocabNTokens.invokeExact(vocab);
    }

    /** Loads the vocabulary of {@code file}; a one-line {@link LlamaCppException} when it cannot. */
    public static LlamaCppVocab open(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new LlamaCppException("no such file: " + file);
        }
        LlamaCppLibrary lib = LlamaCppLibrary.get();
        try {
            return new LlamaCppVocab(lib, file);
        } catch (LlamaCppException e) {
            throw e;
        } catch (Throwable t) {
            throw LlamaCppException.wrap("loading " + file, t);
        }
    }

    public int vocabSize() {
        return vocabSize;
    }

    /** {@code llama_tokenize(vocab, text, addSpecial, parseSpecial)}. */
    public int[] tokenize(String text, boolean addSpecial, boolean parseSpecial) {
        if (closed) {
            throw new IllegalStateException("closed");
        }
        try (Arena local = Arena.ofConfined()) {
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            MemorySegment in = local.allocate(bytes.length + 1L);
            MemorySegment.copy(bytes, 0, in, JAVA_BYTE, 0, bytes.length);
            int capacity = bytes.length + 8;
            MemorySegment out = local.allocate(JAVA_INT, capacity);
            int n = (int) lib.tokenize.invokeExact(vocab, in, bytes.length, out, capacity, addSpecial, parseSpecial);
            if (n < 0) {
                capacity = -n;
                out = local.allocate(JAVA_INT, capacity);
                n = (int) lib.tokenize.invokeExact(vocab, in, bytes.length, out, capacity, addSpecial, parseSpecial);
            }
            if (n < 0) {
                throw new LlamaCppException("llama_tokenize failed (" + n + ")");
            }
            return out.asSlice(0, n * 4L).toArray(JAVA_INT);
        } catch (LlamaCppException e) {
            throw e;
        } catch (Throwable t) {
            throw LlamaCppException.wrap("llama_tokenize", t);
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            lib.modelFree.invokeExact(model);
        } catch (Throwable t) {
            throw LlamaCppException.wrap("llama_model_free", t);
        } finally {
            arena.close();
        }
    }
}
