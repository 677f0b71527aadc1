package dev.strata.engine.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.engine.EngineException;
import dev.strata.engine.gguf.GgmlType;
import dev.strata.engine.gguf.GgufFile;
import dev.strata.engine.gguf.GgufWriter;
import dev.strata.engine.tensor.ComputePool;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelConfigTest {
    @TempDir
    Path dir;

    private ModelConfig configOf(GgufWriter w) {
        Path file = dir.resolve("m" + System.nanoTime() + ".gguf");
        w.write(file);
        try (GgufFile gguf = GgufFile.open(file)) {
            return ModelConfig.from(gguf);
        }
    }

    private void load(GgufWriter w) {
        Path file = dir.resolve("m" + System.nanoTime() + ".gguf");
        w.write(file);
        try (GgufFile gguf = GgufFile.open(file); ComputePool pool = new ComputePool(1)) {
            Model.load(gguf, pool);
        }
    }

    @Test
    void readsEachArchitecturesStructure() {
        ModelConfig qwen2 = configOf(TestModels.writer(Architecture.QWEN2, 1));
        assertThat(qwen2.rope().type()).isEqualTo(RopeType.NEOX);
        assertThat(qwen2.numKvHeads()).isEqualTo(2);
        assertThat(qwen2.attentionScale()).isEqualTo((float) (1 / Math.sqrt(8)));
        ModelConfig qwen3 = configOf(TestModels.writer(Architecture.QWEN3, 1));
        assertThat(qwen3.keyLength()).isEqualTo(12);
        assertThat(qwen3.queryWidth()).isEqualTo(48);
        ModelConfig gemma3 = configOf(TestModels.writer(Architecture.GEMMA3, 1));
        assertThat(gemma3.slidingWindow()).isEqualTo(4);
        assertThat(gemma3.isSlidingLayer(0)).isTrue();
        assertThat(gemma3.isSlidingLayer(5)).isFalse();
        assertThat(gemma3.isSlidingLayer(6)).isTrue();
        ModelConfig phi3 = configOf(TestModels.writer(Architecture.PHI3, 1));
        assertThat(phi3.isSlidingLayer(0)).isFalse(); // as llama.cpp: Phi-3's sliding_window is ignored
        assertThat(phi3.rope().type()).isEqualTo(RopeType.NEOX);
        ModelConfig gemma2 = configOf(TestModels.writer(Architecture.GEMMA2, 1));
        assertThat(gemma2.isSlidingLayer(0)).isTrue();
        assertThat(gemma2.isSlidingLayer(1)).isFalse();
        assertThat(gemma2.finalLogitSoftcap()).isEqualTo(30f);
    }

    @Test
    void linearRopeScalingDividesTheFrequencies() {
        ModelConfig c = configOf(TestModels.writer(Architecture.LLAMA, 1)
                .putString("llama.rope.scaling.type", "linear").putFloat32("llama.rope.scaling.factor", 4f));
        assertThat(c.rope().freqScale()).isEqualTo(0.25f);
    }

    @Test
    void unsupportedThingsAreNamed() {
        assertThatThrownBy(() -> configOf(new GgufWriter().putString("general.architecture", "mamba")))
                .isInstanceOf(EngineException.Unsupported.class)
                .hasMessageStartingWith("unsupported model architecture 'mamba'");
        assertThatThrownBy(() -> configOf(TestModels.writer(Architecture.LLAMA, 1)
                .putString("llama.rope.scaling.type", "yarn")))
                .isInstanceOf(EngineException.Unsupported.class).hasMessage("unsupported rope scaling type 'yarn'");
    }

    @Test
    void missingOrBadMetadataIsNamed() {
        assertThatThrownBy(() -> configOf(new GgufWriter()))
                .isInstanceOf(EngineException.InvalidModelFile.class).hasMessage("metadata general.architecture is missing");
        GgufWriter noHeads = new GgufWriter().putString("general.architecture", "llama")
                .putUInt32("llama.embedding_length", 32).putUInt32("llama.block_count", 1);
        assertThatThrownBy(() -> configOf(noHeads))
                .isInstanceOf(EngineException.InvalidModelFile.class).hasMessage("metadata llama.attention.head_count is missing");
        assertThatThrownBy(() -> configOf(TestModels.writer(Architecture.LLAMA, 1).putUInt32("llama.block_count", 0)))
                .isInstanceOf(EngineException.InvalidModelFile.class).hasMessage("metadata llama.block_count must be > 0, got 0");
    }

    @Test
    void missingTensorsAndShapeMismatchesAreNamed() {
        assertThatThrownBy(() -> load(TestModels.writer(Architecture.LLAMA, 1).putUInt32("llama.block_count", 4)))
                .isInstanceOf(EngineException.InvalidModelFile.class).hasMessage("missing tensor blk.3.attn_q.weight");
        assertThatThrownBy(() -> load(TestModels.writer(Architecture.LLAMA, 1).putUInt32("llama.feed_forward_length", 40)))
                .isInstanceOf(EngineException.InvalidModelFile.class)
                .hasMessage("tensor blk.0.ffn_gate.weight has shape [32, 48], expected [32, 40]");
        assertThatThrownBy(() -> load(TestModels.writer(Architecture.LLAMA, 1)
                .addTensor("rope_freqs.weight", GgmlType.F32, new long[] {3}, new byte[12])))
                .isInstanceOf(EngineException.InvalidModelFile.class)
                .hasMessage("tensor rope_freqs.weight has shape [3], expected [4]");
    }

    @Test
    void tensorTypesWithoutKernelsAreNamed() {
        Path file = dir.resolve("src.gguf");
        TestModels.writer(Architecture.LLAMA, 1).write(file);
        GgufWriter odd = new GgufWriter();
        try (GgufFile src = GgufFile.open(file)) {
            odd.putAll(src.metadata());
            for (var t : src.tensors()) {
                GgmlType type = t.name().equals("blk.0.attn_norm.weight") ? GgmlType.I32 : t.type();
                odd.addTensor(t.name(), type, t.shape(), src.tensorData(t));
            }
            assertThatThrownBy(() -> load(odd)).isInstanceOf(EngineException.Unsupported.class)
                    .hasMessage("tensor blk.0.attn_norm.weight has type I32, which the engine cannot compute with");
        }
    }
}
