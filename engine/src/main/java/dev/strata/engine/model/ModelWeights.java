package dev.strata.engine.model;

import dev.strata.engine.EngineException;
import dev.strata.engine.gguf.GgufFile;
import dev.strata.engine.gguf.GgufTensorInfo;
import dev.strata.engine.tensor.FloatTensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

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
            layers.add(new LayerWeights(
                    l.vector(p + "attn_norm.weight", d),
                    l.matrix(p + "attn_q.weight", qw, d),
                    l.matrix(p + "attn_k.weight", kw, d),
                    l.matrix(p + "attn_v.weight", vw, d),
                    l.matrix(p + "attn_output.weight", d, config.numHeads() * config.valueLength()),
                    l.optionalVector(p + "attn_q.bias", qw),
                    l.optionalVector(p + "attn_k.bias", kw),
                    l.optionalVector(p + "attn_v.bias", vw),
                    arch.hasQkNorm() ? l.vector(p + "attn_q_norm.weight", hd) : null,
                    arch.hasQkNorm() ? l.vector(p + "attn_k_norm.weight", hd) : null,
                    arch.hasPostNorms() ? l.vector(p + "post_attention_norm.weight", d) : null,
                    l.vector(p + "ffn_norm.weight", d),
                    l.matrix(p + "ffn_gate.weight", ffn, d),
                    l.matrix(p + "ffn_up.weight", ffn, d),
                    l.matrix(p + "ffn_down.weight", d, ffn),
                    arch.hasPostNorms() ? l.vector(p + "post_ffw_norm.weight", d) : null));
        }
        float[] outputNorm = l.vector("output_norm.weight", d);
        boolean tied = gguf.tensor("output.weight").isEmpty();
        FloatTensor output = tied ? embedding : l.matrix("output.weight", vocab, d);
        float[] ropeFactors = l.optionalVector("rope_freqs.weight", config.rope().dimensions() / 2);
        return new ModelWeights(embedding, layers, outputNorm, output, tied, ropeFactors);
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
