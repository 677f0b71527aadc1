package dev.strata.engine.model;

import dev.strata.engine.EngineException;
import dev.strata.engine.gguf.GgmlType;
import dev.strata.engine.gguf.GgufFile;
import dev.strata.engine.gguf.GgufTensorInfo;
import dev.strata.engine.tensor.FloatTensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * All read-only weights of a model, as views of the memory-mapped GGUF file (valid while it is open).
 *
 * @param tokenEmbedding  [vocab, d]
 * @param output          [vocab, d]: {@code output.weight}, or {@code tokenEmbedding} when tied
 * @param ropeFreqFactors per rotation pair divisors of the frequency ({@code rope_freqs.weight},
 *                        llama-3 rope scaling), or null
 */
public record ModelWeights(FloatTensor tokenEmbedding, List<LayerWeights> layers, float[] outputNorm,
        FloatTensor output, boolean tiedOutput, float[] ropeFreqFactors) {

    public ModelWeights {
        layers = List.copyOf(layers);
    }

    /** The storage types of the matrices, in first-use order (what {@link FloatTensor#warmUp} needs). */
    public Set<GgmlType> matrixTypes() {
        Set<GgmlType> types = new LinkedHashSet<>();
        types.add(tokenEmbedding.type());
        for (LayerWeights l : layers) {
            for (FloatTensor w : new FloatTensor[] {l.wq(), l.wk(), l.wv(), l.wo(), l.wGate(), l.wUp(), l.wDown()}) {
                if (w != null) {
                    types.add(w.type());
                }
            }
        }
        types.add(output.type());
        return types;
    }

    /**
     * Maps the tensors {@code config} needs from {@code gguf}, checking every shape.
     *
     * @throws EngineException.InvalidModelFile for a missing tensor or a shape mismatch
     * @throws EngineException.Unsupported      for a tensor type without kernels
     */
    public static ModelWeights load(GgufFile gguf, ModelConfig config) {
        Loader l = new Loader(gguf);
        Architecture arch = config.architecture();
        int d = config.embeddingLength();
        int vocab = config.vocabSize();
        FloatTensor embedding = l.matrix("token_embd.weight", vocab, d);
        List<LayerWeights> layers = new ArrayList<>(config.numLayers());
        for (int i = 0; i < config.numLayers(); i++) {
            String p = "blk." + i + ".";
            int qw = config.queryWidth();
            int kw = config.keyWidth();
            int vw = config.valueWidth();
            int hd = config.keyLength();
            int ffn = config.feedForwardLength();
            FloatTensor[] qkv = attentionProjections(l, p, config);
            FloatTensor[] gateUp = gateAndUp(l, p, config);
            layers.add(new LayerWeights(
                    l.vector(p + "attn_norm.weight", d),
                    qkv[0],
                    qkv[1],
                    qkv[2],
                    l.matrix(p + "attn_output.weight", d, config.numHeads() * config.valueLength()),
                    l.optionalVector(p + "attn_q.bias", qw),
                    l.optionalVector(p + "attn_k.bias", kw),
                    l.optionalVector(p + "attn_v.bias", vw),
                    arch.hasQkNorm() ? l.vector(p + "attn_q_norm.weight", hd) : null,
                    arch.hasQkNorm() ? l.vector(p + "attn_k_norm.weight", hd) : null,
                    arch.hasPostNorms() ? l.vector(p + "post_attention_norm.weight", d) : null,
                    l.vector(p + "ffn_norm.weight", d),
                    gateUp[0],
                    gateUp[1],
                    l.matrix(p + "ffn_down.weight", d, ffn),
                    arch.hasPostNorms() ? l.vector(p + "post_ffw_norm.weight", d) : null));
        }
        if (gguf.tensor("rope_factors_long.weight").isPresent() || gguf.tensor("rope_factors_short.weight").isPresent()) {
            throw new EngineException.Unsupported("long-rope scaling (rope_factors_long/short, 128k Phi-3 variants) is "
                    + "not supported");
        }
        float[] outputNorm = l.vector("output_norm.weight", d);
        boolean tied = gguf.tensor("output.weight").isEmpty();
        FloatTensor output = tied ? embedding : l.matrix("output.weight", vocab, d);
        float[] ropeFactors = l.optionalVector("rope_freqs.weight", config.rope().dimensions() / 2);
        return new ModelWeights(embedding, layers, outputNorm, output, tied, ropeFactors);
    }

    /** Wq [H*hd, d], Wk [Hkv*hd, d], Wv [Hkv*hv, d]: separate tensors, or row views of a fused {@code attn_qkv}. */
    private static FloatTensor[] attentionProjections(Loader l, String p, ModelConfig c) {
        int d = c.embeddingLength();
        int qw = c.queryWidth();
        int kw = c.keyWidth();
        int vw = c.valueWidth();
        if (c.architecture().mayFuseProjections() && l.gguf().tensor(p + "attn_qkv.weight").isPresent()) {
            String name = p + "attn_qkv.weight";
            int rows = qw + kw + vw;
            return new FloatTensor[] {l.rows(name, rows, d, 0, qw), l.rows(name, rows, d, qw, kw),
                    l.rows(name, rows, d, qw + kw, vw)};
        }
        return new FloatTensor[] {l.matrix(p + "attn_q.weight", qw, d), l.matrix(p + "attn_k.weight", kw, d),
                l.matrix(p + "attn_v.weight", vw, d)};
    }

    /** Wgate [ffn, d] and Wup [ffn, d]: separate tensors, or the halves of a fused {@code ffn_up} [2*ffn, d]. */
    private static FloatTensor[] gateAndUp(Loader l, String p, ModelConfig c) {
        int d = c.embeddingLength();
        int ffn = c.feedForwardLength();
        if (c.architecture().mayFuseProjections() && l.gguf().tensor(p + "ffn_gate.weight").isEmpty()) {
            String name = p + "ffn_up.weight";
            return new FloatTensor[] {l.rows(name, 2 * ffn, d, 0, ffn), l.rows(name, 2 * ffn, d, ffn, ffn)};
        }
        return new FloatTensor[] {l.matrix(p + "ffn_gate.weight", ffn, d), l.matrix(p + "ffn_up.weight", ffn, d)};
    }

    /** Looks tensors up by name and checks their shapes (GGUF lists the column count first). */
    private record Loader(GgufFile gguf) {
        GgufTensorInfo info(String name) {
            return gguf.tensor(name).orElseThrow(() -> new EngineException.InvalidModelFile("missing tensor " + name));
        }

        FloatTensor matrix(String name, int rows, int cols) {
            GgufTensorInfo t = info(name);
            if (t.numDims() != 2 || t.dim(0) != cols || t.dim(1) != rows) {
                throw shapeMismatch(t, "[" + cols + ", " + rows + "]");
            }
            return view(t, (long) rows * cols);
        }

        private FloatTensor view(GgufTensorInfo t, long size) {
            try {
                return FloatTensor.of(t.type(), gguf.tensorData(t), size);
            } catch (EngineException.Unsupported e) {
                throw new EngineException.Unsupported("tensor " + t.name() + " has type " + t.type()
                        + ", which the engine cannot compute with");
            }
        }

        /** Rows {@code [first, first + count)} of the {@code rows x cols} matrix {@code name}, as a view. */
        FloatTensor rows(String name, int rows, int cols, int first, int count) {
            GgufTensorInfo t = info(name);
            if (t.numDims() != 2 || t.dim(0) != cols || t.dim(1) != rows) {
                throw shapeMismatch(t, "[" + cols + ", " + rows + "]");
            }
            long from = t.type().sizeBytes((long) first * cols);
            long length = t.type().sizeBytes((long) count * cols);
            try {
                return FloatTensor.of(t.type(), gguf.tensorData(t).asSlice(from, length), (long) count * cols);
            } catch (EngineException.Unsupported e) {
                throw new EngineException.Unsupported("tensor " + t.name() + " has type " + t.type()
                        + ", which the engine cannot compute with");
            }
        }

        float[] vector(String name, int length) {
            return copy(info(name), length);
        }

        float[] optionalVector(String name, int length) {
            return gguf.tensor(name).map(t -> copy(t, length)).orElse(null);
        }

        private float[] copy(GgufTensorInfo t, int length) {
            if (t.numDims() != 1 || t.dim(0) != length) {
                throw shapeMismatch(t, "[" + length + "]");
            }
            float[] out = new float[length];
            view(t, length).dequantize(0, out, 0, length);
            return out;
        }

        private static EngineException shapeMismatch(GgufTensorInfo t, String expected) {
            return new EngineException.InvalidModelFile("tensor " + t.name() + " has shape "
                    + Arrays.toString(t.shape()) + ", expected " + expected);
        }
    }
}
