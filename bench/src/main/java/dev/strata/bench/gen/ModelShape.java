package dev.strata.bench.gen;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SequencedMap;

/**
 * The hyperparameters that fix every tensor shape and the metadata of a model. The named shapes
 * copy the Hugging Face {@code config.json} of the real models; {@code vocabFile} names the GGUF
 * whose {@code tokenizer.*} metadata the generated file carries ({@code stories260K.gguf} is the
 * repository's demo model, the others are llama.cpp's {@code ggml-vocab-*.gguf} files). A record
 * with many components on purpose: it is the config, validated once.
 *
 * @param vocabSize rows of the embedding; the vocabulary is padded with unused tokens up to it
 */
public record ModelShape(String name, Arch arch, int embeddingLength, int numLayers, int numHeads, int numKvHeads,
                         int headDim, int feedForwardLength, int vocabSize, int contextLength, float ropeFreqBase,
                         float rmsNormEps, boolean tiedEmbeddings, Optional<Llama3RopeScaling> llama3Rope,
                         String vocabFile) {
    public ModelShape {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(arch, "arch");
        Objects.requireNonNull(llama3Rope, "llama3Rope");
        Objects.requireNonNull(vocabFile, "vocabFile");
        positive("embeddingLength", embeddingLength);
        positive("numLayers", numLayers);
        positive("numHeads", numHeads);
        positive("numKvHeads", numKvHeads);
        positive("headDim", headDim);
        positive("feedForwardLength", feedForwardLength);
        positive("vocabSize", vocabSize);
        positive("contextLength", contextLength);
        if (numHeads % numKvHeads != 0) {
            throw new IllegalArgumentException(name + ": numHeads " + numHeads + " is not a multiple of numKvHeads "
                    + numKvHeads);
        }
        if (headDim % 2 != 0) {
            throw new IllegalArgumentException(name + ": headDim must be even, got " + headDim);
        }
        if (!(ropeFreqBase > 0) || !(rmsNormEps > 0)) {
            throw new IllegalArgumentException(name + ": ropeFreqBase and rmsNormEps must be > 0");
        }
    }

    private static void positive(String field, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(field + " must be >= 1, got " + value);
        }
    }

    /** The demo model's SentencePiece vocabulary (512 tokens), used by the tiny shapes. */
    public static final String DEMO_VOCAB = "stories260K.gguf";

    private static final SequencedMap<String, ModelShape> NAMED = new LinkedHashMap<>();

    static {
        // HuggingFaceTB/SmolLM2-135M: 49152-token BPE; stands in with starcoder's vocab of the same size.
        add(new ModelShape("smollm2-135m", Arch.LLAMA, 576, 30, 9, 3, 64, 1536, 49152, 8192, 100000f, 1e-5f,
                true, Optional.empty(), "ggml-vocab-starcoder.gguf"));
        // Qwen/Qwen2.5-0.5B
        add(new ModelShape("qwen2.5-0.5b", Arch.QWEN2, 896, 24, 14, 2, 64, 4864, 151936, 32768, 1000000f, 1e-6f,
                true, Optional.empty(), "ggml-vocab-qwen2.gguf"));
        // meta-llama/Llama-3.2-1B
        add(new ModelShape("llama-3.2-1b", Arch.LLAMA, 2048, 16, 32, 8, 64, 8192, 128256, 131072, 500000f, 1e-5f,
                true, Optional.of(new Llama3RopeScaling(32, 1, 4, 8192)), "ggml-vocab-llama-bpe.gguf"));
        // Tiny shapes for tests: rows of 256 so that every weight type (K-quants too) fits every matrix.
        add(new ModelShape("tiny-llama", Arch.LLAMA, 256, 2, 4, 2, 64, 768, 512, 512, 10000f, 1e-5f,
                false, Optional.empty(), DEMO_VOCAB));
        add(new ModelShape("tiny-llama3", Arch.LLAMA, 256, 2, 4, 1, 64, 768, 512, 512, 500000f, 1e-5f,
                true, Optional.of(new Llama3RopeScaling(32, 1, 4, 8192)), DEMO_VOCAB));
        add(new ModelShape("tiny-qwen2", Arch.QWEN2, 256, 2, 4, 2, 64, 768, 512, 512, 1000000f, 1e-6f,
                true, Optional.empty(), DEMO_VOCAB));
        add(new ModelShape("tiny-qwen3", Arch.QWEN3, 256, 2, 4, 2, 128, 768, 512, 512, 1000000f, 1e-6f,
                true, Optional.empty(), DEMO_VOCAB));
    }

    private static void add(ModelShape shape) {
        NAMED.put(shape.name(), shape);
    }

    /** The named shapes, in a stable order. */
    public static Map<String, ModelShape> named() {
        return java.util.Collections.unmodifiableSequencedMap(NAMED);
    }

    /** The shape called {@code name}; the message lists the known names when there is none. */
    public static ModelShape named(String name) {
        ModelShape shape = NAMED.get(name);
        if (shape == null) {
            throw new IllegalArgumentException("unknown shape '" + name + "'; known: " + String.join(", ", NAMED.keySet()));
        }
        return shape;
    }

    /** The same shape with {@code layers} blocks (a cheaper model with the same per-layer cost). */
    public ModelShape withLayers(int layers) {
        return new ModelShape(name, arch, embeddingLength, layers, numHeads, numKvHeads, headDim, feedForwardLength,
                vocabSize, contextLength, ropeFreqBase, rmsNormEps, tiedEmbeddings, llama3Rope, vocabFile);
    }

    /** Width of all query heads together (differs from embeddingLength for qwen3). */
    public int queryLength() {
        return numHeads * headDim;
    }

    /** Width of all key (or value) heads together. */
    public int kvLength() {
        return numKvHeads * headDim;
    }

    /** Parameters of the model (all tensors). */
    public long numParameters() {
        long d = embeddingLength;
        long perLayer = 2 * d + d * queryLength() + 2 * d * kvLength() + queryLength() * d + 3 * d * feedForwardLength;
        if (arch == Arch.QWEN2) {
            perLayer += queryLength() + 2L * kvLength();
        } else if (arch == Arch.QWEN3) {
            perLayer += 2L * headDim;
        }
        long embeddings = (tiedEmbeddings ? 1 : 2) * d * vocabSize;
        return embeddings + d + numLayers * perLayer + (llama3Rope.isPresent() ? headDim / 2 : 0);
    }
}
