package dev.strata.bench.peer;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BOOLEAN;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;

/**
 * Downcall handles to the llama.cpp C API of the library inside {@code de.kherud:llama} 4.2.0
 * (llama.cpp build 4916, {@code include/llama.h} of that build). The jar's loader extracts and loads
 * {@code libjllama.so}; every {@code llama_*} and {@code ggml_*} symbol is exported from it.
 *
 * <p>Struct layouts are those of b4916, checked against the library's own
 * {@code llama_*_default_params} (which write exactly 64 and 120 bytes). Only the leading fields we
 * set are named; the rest travel as opaque bytes, which is exact for by-value passing because
 * structs over 16 bytes go in memory (System V AMD64 ABI). A different llama.cpp build would need
 * these offsets checked again: {@link #BUILD} names the one they were checked for.
 */
final class LlamaCppLibrary {
    /** The llama.cpp build bundled by the pinned {@code de.kherud:llama}. */
    static final String BUILD = "b4916";

    /** {@code struct llama_model_params}: devices, n_gpu_layers, split_mode, ... use_mmap at 57. */
    static final StructLayout MODEL_PARAMS = MemoryLayout.structLayout(MemoryLayout.sequenceLayout(8, JAVA_LONG));
    static final long MODEL_PARAMS_N_GPU_LAYERS = 8;
    static final long MODEL_PARAMS_USE_MMAP = 57;

    /** {@code struct llama_context_params}: the first six 32-bit fields, then opaque. */
    static final StructLayout CONTEXT_PARAMS = MemoryLayout.structLayout(MemoryLayout.sequenceLayout(15, JAVA_LONG));
    static final long CTX_N_CTX = 0;
    static final long CTX_N_BATCH = 4;
    static final long CTX_N_UBATCH = 8;
    static final long CTX_N_SEQ_MAX = 12;
    static final long CTX_N_THREADS = 16;
    static final long CTX_N_THREADS_BATCH = 20;
    /** {@code enum ggml_type type_k, type_v} (F16 = 1 by default, F32 = 0). */
    static final long CTX_TYPE_K = 88;
    static final long CTX_TYPE_V = 92;
    /** {@code bool no_perf}. */
    static final long CTX_NO_PERF = 100;

    /** {@code struct llama_batch}: n_tokens, then pointers token, embd, pos, n_seq_id, seq_id, logits. */
    static final StructLayout BATCH = MemoryLayout.structLayout(
            JAVA_INT.withName("n_tokens"), MemoryLayout.paddingLayout(4),
            ADDRESS.withName("token"), ADDRESS.withName("embd"), ADDRESS.withName("pos"),
            ADDRESS.withName("n_seq_id"), ADDRESS.withName("seq_id"), ADDRESS.withName("logits"));

    static final int LOG_LEVEL_WARN = 3;
    static final int LOG_LEVEL_ERROR = 4;

    private static final Object LOCK = new Object();
    private static volatile LlamaCppLibrary instance;
    private static final Deque<String> RECENT_ERRORS = new ArrayDeque<>();

    final MethodHandle backendInit;
    final MethodHandle modelDefaultParams;
    final MethodHandle modelLoadFromFile;
    final MethodHandle modelFree;
    final MethodHandle modelGetVocab;
    final MethodHandle vocabNTokens;
    final MethodHandle tokenize;
    final MethodHandle tokenToPiece;
    final MethodHandle contextDefaultParams;
    final MethodHandle initFromModel;
    final MethodHandle free;
    final MethodHandle decode;
    final MethodHandle getLogitsIth;
    final MethodHandle kvSelfClear;
    final MethodHandle synchronize;
    final MethodHandle quantizeInit;
    final MethodHandle quantizeChunk;
    final MethodHandle quantizeRequiresImatrix;
    final MethodHandle fp16ToFp32Row;
    private final SymbolLookup lookup;
    private final Linker linker = Linker.nativeLinker();

    private LlamaCppLibrary(SymbolLookup lookup) {
        this.lookup = lookup;
        backendInit = handle("llama_backend_init", FunctionDescriptor.ofVoid());
        modelDefaultParams = handle("llama_model_default_params", FunctionDescriptor.of(MODEL_PARAMS));
        modelLoadFromFile = handle("llama_model_load_from_file", FunctionDescriptor.of(ADDRESS, ADDRESS, MODEL_PARAMS));
        modelFree = handle("llama_model_free", FunctionDescriptor.ofVoid(ADDRESS));
        modelGetVocab = handle("llama_model_get_vocab", FunctionDescriptor.of(ADDRESS, ADDRESS));
        vocabNTokens = handle("llama_vocab_n_tokens", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        tokenize = handle("llama_tokenize", FunctionDescriptor.of(JAVA_INT,
                ADDRESS, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, JAVA_BOOLEAN, JAVA_BOOLEAN));
        tokenToPiece = handle("llama_token_to_piece", FunctionDescriptor.of(JAVA_INT,
                ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_BOOLEAN));
        contextDefaultParams = handle("llama_context_default_params", FunctionDescriptor.of(CONTEXT_PARAMS));
        initFromModel = handle("llama_init_from_model", FunctionDescriptor.of(ADDRESS, ADDRESS, CONTEXT_PARAMS));
        free = handle("llama_free", FunctionDescriptor.ofVoid(ADDRESS));
        decode = handle("llama_decode", FunctionDescriptor.of(JAVA_INT, ADDRESS, BATCH));
        getLogitsIth = handle("llama_get_logits_ith", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT));
        kvSelfClear = handle("llama_kv_self_clear", FunctionDescriptor.ofVoid(ADDRESS));
        synchronize = handle("llama_synchronize", FunctionDescriptor.ofVoid(ADDRESS));
        quantizeInit = handle("ggml_quantize_init", FunctionDescriptor.ofVoid(JAVA_INT));
        quantizeChunk = handle("ggml_quantize_chunk", FunctionDescriptor.of(JAVA_LONG,
                JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG, JAVA_LONG, JAVA_LONG, ADDRESS));
        quantizeRequiresImatrix = handle("ggml_quantize_requires_imatrix", FunctionDescriptor.of(JAVA_BOOLEAN, JAVA_INT));
        fp16ToFp32Row = handle("ggml_fp16_to_fp32_row", FunctionDescriptor.ofVoid(ADDRESS, ADDRESS, JAVA_LONG));
    }

    /** The library, loaded and initialized once per JVM. */
    static LlamaCppLibrary get() {
        LlamaCppLibrary lib = instance;
        if (lib == null) {
            synchronized (LOCK) {
                lib = instance;
                if (lib == null) {
                    lib = load();
                    instance = lib;
                }
            }
        }
        return lib;
    }

    /** A handle to another exported function (used for the per-type {@code dequantize_row_*}). */
    Optional<MethodHandle> optionalHandle(String name, FunctionDescriptor descriptor) {
        return lookup.find(name).map(address -> linker.downcallHandle(address, descriptor));
    }

    private MethodHandle handle(String name, FunctionDescriptor descriptor) {
        return optionalHandle(name, descriptor).orElseThrow(
                () -> new LlamaCppException("llama.cpp library has no symbol " + name));
    }

    private static LlamaCppLibrary load() {
        if (System.getProperty("de.kherud.llama.tmpdir") == null) {
            // The jar's loader deletes every "llama*"/"jllama*" file in its temp dir before extracting:
            // give it a private one so that concurrent JVMs (forked tests, benches) never race.
            try {
                Path dir = Files.createTempDirectory("strata-llamacpp-");
                dir.toFile().deleteOnExit();
                dir.resolve(System.mapLibraryName("jllama")).toFile().deleteOnExit();
                System.setProperty("de.kherud.llama.tmpdir", dir.toString());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create a temp dir for llama.cpp's native library", e);
            }
        }
        java.io.PrintStream stdout = System.out;
        try {
            System.setOut(System.err); // the jar's loader prints where it extracted the library: keep stdout for results
            Class.forName("de.kherud.llama.LlamaModel", true, LlamaCppLibrary.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            throw new LlamaCppException("cannot load llama.cpp's native library from de.kherud:llama: " + e, e);
        } finally {
            System.setOut(stdout);
        }
        Path extracted = Path.of(System.getProperty("de.kherud.llama.tmpdir"), System.mapLibraryName("jllama"));
        SymbolLookup lookup = SymbolLookup.loaderLookup();
        if (lookup.find("llama_decode").isEmpty() && Files.exists(extracted)) {
            lookup = SymbolLookup.libraryLookup(extracted, Arena.global());
        }
        LlamaCppLibrary lib = new LlamaCppLibrary(lookup);
        lib.installLogger();
        try {
            lib.backendInit.invokeExact();
        } catch (Throwable t) {
            throw LlamaCppException.wrap("llama_backend_init", t);
        }
        return lib;
    }

    /** Routes llama.cpp's log to a small ring of recent warnings and errors (to stderr too when verbose). */
    private void installLogger() {
        try {
            MethodHandle target = MethodHandles.lookup().findStatic(LlamaCppLibrary.class, "onLog",
                    MethodType.methodType(void.class, int.class, MemorySegment.class, MemorySegment.class));
            MemorySegment stub = linker.upcallStub(target,
                    FunctionDescriptor.ofVoid(JAVA_INT, ADDRESS, ADDRESS), Arena.global());
            MethodHandle logSet = handle("llama_log_set", FunctionDescriptor.ofVoid(ADDRESS, ADDRESS));
            logSet.invokeExact(stub, MemorySegment.NULL);
        } catch (Throwable t) {
            throw LlamaCppException.wrap("llama_log_set", t);
        }
    }

    private static final boolean VERBOSE = Boolean.getBoolean("strata.llamacpp.verbose");

    @SuppressWarnings("unused") // called from native code
    private static void onLog(int level, MemorySegment text, MemorySegment userData) {
        String line = text.reinterpret(Long.MAX_VALUE).getString(0, StandardCharsets.UTF_8);
        if (VERBOSE) {
            System.err.print(line);
        }
        if (level == LOG_LEVEL_ERROR || level == LOG_LEVEL_WARN) {
            synchronized (RECENT_ERRORS) {
                RECENT_ERRORS.addLast(line.strip());
                while (RECENT_ERRORS.size() > 8) {
                    RECENT_ERRORS.removeFirst();
                }
            }
        }
    }

    /** The most recent error line llama.cpp logged since the last call, or an empty string. */
    static String takeLastError() {
        synchronized (RECENT_ERRORS) {
            String last = "";
            for (String line : RECENT_ERRORS) {
                if (!line.isEmpty()) {
                    last = line;
                }
            }
            RECENT_ERRORS.clear();
            return last;
        }
    }
}
