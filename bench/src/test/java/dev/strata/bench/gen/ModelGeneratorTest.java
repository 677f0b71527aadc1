package dev.strata.bench.gen;

import org.junit.jupiter.api.parallel.ResourceLock;
import dev.strata.bench.peer.PeerLock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.bench.peer.GgmlQuantizer;
import dev.strata.engine.gguf.GgmlType;
import dev.strata.engine.gguf.GgufFile;
import dev.strata.engine.gguf.GgufTensorInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@ResourceLock(PeerLock.LLAMA_CPP)
class ModelGeneratorTest {
    static Vocab demoVocab() {
        return Vocab.fromGguf(Path.of(System.getProperty("strata.models.dir", "../models"), "stories260K.gguf"));
    }

    @Test
    void writesTheShapesAndMetadataOfQwen3(@TempDir Path dir) {
        ModelShape shape = ModelShape.named("tiny-qwen3");
        Path file = dir.resolve("q3.gguf");
        ModelGenerator.Result result = new ModelGenerator(BlockEncoder.floats(), 2)
                .generate(shape, WeightType.F16, demoVocab(), 1, file);
        assertThat(result.numParameters()).isEqualTo(shape.numParameters());
        try (GgufFile gguf = GgufFile.open(file)) {
            assertThat(gguf.getString("general.architecture")).contains("qwen3");
            assertThat(gguf.getInt("qwen3.attention.key_length")).contains(128);
            assertThat(gguf.getInt("qwen3.embedding_length")).contains(256);
            assertThat(gguf.getArray("tokenizer.ggml.tokens").orElseThrow().length()).isEqualTo(512);
            GgufTensorInfo q = gguf.tensor("blk.1.attn_q.weight").orElseThrow();
            assertThat(q.shape()).containsExactly(256, 512);
            assertThat(q.type()).isEqualTo(GgmlType.F16);
            assertThat(gguf.tensor("blk.0.attn_k_norm.weight").orElseThrow().shape()).containsExactly(128);
            assertThat(gguf.tensor("blk.0.attn_output.weight").orElseThrow().shape()).containsExactly(512, 256);
            assertThat(gguf.tensor("output.weight")).isEmpty();
            assertThat(gguf.tensor("output_norm.weight").orElseThrow().type()).isEqualTo(GgmlType.F32);
        }
    }

    @Test
    void weightsAreWellScaledAndDeterministic(@TempDir Path dir) throws Exception {
        ModelShape shape = ModelShape.named("tiny-llama");
        Path a = dir.resolve("a.gguf");
        Path b = dir.resolve("b.gguf");
        new ModelGenerator(BlockEncoder.floats(), 1).generate(shape, WeightType.F32, demoVocab(), 7, a);
        new ModelGenerator(BlockEncoder.floats(), 3).generate(shape, WeightType.F32, demoVocab(), 7, b);
        assertThat(Files.mismatch(a, b)).isEqualTo(-1L);
        try (GgufFile gguf = GgufFile.open(a)) {
            float[] w = gguf.tensorData(gguf.tensor("blk.0.ffn_down.weight").orElseThrow())
                    .toArray(java.lang.foreign.ValueLayout.JAVA_FLOAT);
            double mean = Arrays.stream(toDoubles(w)).average().orElseThrow();
            double std = Math.sqrt(Arrays.stream(toDoubles(w)).map(x -> (x - mean) * (x - mean)).average().orElseThrow());
            assertThat(mean).isBetween(-0.002, 0.002);
            assertThat(std).isBetween(0.98 / Math.sqrt(768), 1.02 / Math.sqrt(768));
            float[] norm = gguf.tensorData(gguf.tensor("blk.1.attn_norm.weight").orElseThrow())
                    .toArray(java.lang.foreign.ValueLayout.JAVA_FLOAT);
            for (float x : norm) {
                assertThat(x).isBetween(0.6f, 1.4f);
            }
        }
    }

    /** Per-role overrides give one role another type; the values are the unmixed file's. */
    @Test
    void overridesGiveOneRoleItsOwnType(@TempDir Path dir) {
        ModelShape shape = ModelShape.named("tiny-llama");
        Path plain = dir.resolve("plain.gguf");
        Path mixed = dir.resolve("mixed.gguf");
        ModelGenerator generator = new ModelGenerator(BlockEncoder.strata(), 1);
        generator.generate(shape, WeightType.F32, demoVocab(), 5, plain);
        generator.generate(shape, WeightType.F32, java.util.Map.of(TensorRole.FFN_DOWN, GgmlType.Q8_0,
                TensorRole.OUTPUT, GgmlType.Q4_K), demoVocab(), 5, mixed);
        try (GgufFile a = GgufFile.open(plain); GgufFile b = GgufFile.open(mixed)) {
            assertThat(b.tensor("blk.1.ffn_down.weight").orElseThrow().type()).isEqualTo(GgmlType.Q8_0);
            assertThat(b.tensor("output.weight").orElseThrow().type()).isEqualTo(GgmlType.Q4_K);
            assertThat(b.tensor("blk.1.ffn_up.weight").orElseThrow().type()).isEqualTo(GgmlType.F32);
            assertThat(b.tensor("token_embd.weight").orElseThrow().type()).isEqualTo(GgmlType.F32);
            GgufTensorInfo down = b.tensor("blk.0.ffn_down.weight").orElseThrow();
            float[] original = a.tensorData(a.tensor("blk.0.ffn_down.weight").orElseThrow())
                    .toArray(java.lang.foreign.ValueLayout.JAVA_FLOAT);
            byte[] expected = dev.strata.engine.tensor.Quantizer.quantize(GgmlType.Q8_0, original);
            assertThat(b.tensorData(down).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE)).isEqualTo(expected);
        }
        assertThat(ModelGenerator.roleOf("blk.12.attn_output.weight")).contains(TensorRole.ATTENTION_OUTPUT);
        assertThat(ModelGenerator.roleOf("token_embd.weight")).contains(TensorRole.TOKEN_EMBEDDING);
        assertThat(ModelGenerator.roleOf("blk.0.attn_norm.weight")).isEmpty();
    }

    @Test
    void anOverrideThatDoesNotFitTheRowsIsRefused(@TempDir Path dir) {
        Path file = dir.resolve("x.gguf");
        assertThatThrownBy(() -> new ModelGenerator(BlockEncoder.strata(), 1).generate(ModelShape.named("smollm2-135m"),
                WeightType.F32, java.util.Map.of(TensorRole.ATTENTION_Q, GgmlType.Q4_K), demoVocab(), 5, file))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("blk.0.attn_q.weight has rows of 576");
        assertThat(file).doesNotExist();
    }

    @Test
    void quantizedTypesFollowLlamaCppsMix(@TempDir Path dir) {
        Path file = dir.resolve("m.gguf");
        ModelShape shape = ModelShape.named("tiny-llama").withLayers(8);
        new ModelGenerator(BlockEncoder.withLlamaCppQuantizer(), 2).generate(shape, WeightType.Q4_K_M, demoVocab(), 3, file);
        try (GgufFile gguf = GgufFile.open(file)) {
            assertThat(gguf.getInt("general.file_type")).contains(15);
            assertThat(gguf.tensor("output.weight").orElseThrow().type()).isEqualTo(GgmlType.Q6_K);
            assertThat(gguf.tensor("token_embd.weight").orElseThrow().type()).isEqualTo(GgmlType.Q4_K);
            // use_more_bits for 8 layers: 0, 3, 6, 7
            for (int i = 0; i < 8; i++) {
                GgmlType expected = i == 0 || i == 3 || i == 6 || i == 7 ? GgmlType.Q6_K : GgmlType.Q4_K;
                assertThat(gguf.tensor("blk." + i + ".attn_v.weight").orElseThrow().type()).as("layer " + i).isEqualTo(expected);
                assertThat(gguf.tensor("blk." + i + ".ffn_down.weight").orElseThrow().type()).isEqualTo(expected);
                assertThat(gguf.tensor("blk." + i + ".attn_q.weight").orElseThrow().type()).isEqualTo(GgmlType.Q4_K);
            }
            // ggml's dequantization of what ggml quantized comes back close to the random weights' scale
            GgufTensorInfo up = gguf.tensor("blk.0.ffn_up.weight").orElseThrow();
            float[] values = GgmlQuantizer.load().dequantize(up.type(), gguf.tensorData(up), up.numElements());
            double rms = Math.sqrt(Arrays.stream(toDoubles(values)).map(x -> x * x).average().orElseThrow());
            assertThat(rms).isBetween(0.9 / Math.sqrt(256), 1.1 / Math.sqrt(256));
        }
    }

    @Test
    void fallsBackLikeLlamaCppWhenRowsDoNotFitTheBlock() {
        // smollm2's 576-wide rows do not fit 256-blocks: Q4_K -> Q5_0, Q6_K -> Q8_0
        assertThat(WeightType.Q4_K_M.typeFor(TensorRole.ATTENTION_Q, 576, 5, 30, true)).isEqualTo(GgmlType.Q5_0);
        assertThat(WeightType.Q4_K_M.typeFor(TensorRole.TOKEN_EMBEDDING, 576, 0, 30, true)).isEqualTo(GgmlType.Q8_0);
        assertThat(WeightType.Q4_K_M.typeFor(TensorRole.FFN_DOWN, 1536, 0, 30, true)).isEqualTo(GgmlType.Q6_K);
        assertThat(WeightType.Q4_0.typeFor(TensorRole.FFN_DOWN, 172, 0, 5, true)).isEqualTo(GgmlType.F16);
        assertThat(WeightType.Q8_0.typeFor(TensorRole.TOKEN_EMBEDDING, 896, 0, 24, true)).isEqualTo(GgmlType.Q8_0);
    }

    @Test
    void namedShapesMatchTheRealModels() {
        assertThat(ModelShape.named("qwen2.5-0.5b").numParameters()).isBetween(490_000_000L, 500_000_000L);
        assertThat(ModelShape.named("llama-3.2-1b").numParameters()).isBetween(1_230_000_000L, 1_240_000_000L);
        assertThat(ModelShape.named("smollm2-135m").numParameters()).isBetween(134_000_000L, 135_000_000L);
        assertThatThrownBy(() -> ModelShape.named("gpt-5")).hasMessageContaining("known: smollm2-135m");
        assertThatThrownBy(() -> WeightType.parse("q7")).hasMessageContaining("Q4_K_M");
    }

    @Test
    void llama3RopeFactorsMatchTheReferenceFormula() {
        float[] f = new Llama3RopeScaling(32, 1, 4, 8192).frequencyDivisors(64, 500000);
        assertThat(f).hasSize(32);
        assertThat(f[0]).isEqualTo(1f); // high frequencies untouched
        assertThat(f[31]).isEqualTo(32f); // low frequencies divided by the factor
        for (int i = 1; i < f.length; i++) {
            assertThat(f[i]).isGreaterThanOrEqualTo(f[i - 1]);
        }
    }

    private static double[] toDoubles(float[] values) {
        double[] d = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            d[i] = values[i];
        }
        return d;
    }
}
