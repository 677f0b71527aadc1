package dev.strata.engine.model;

import dev.strata.engine.gguf.GgmlType;
import dev.strata.engine.gguf.GgufValueType;
import dev.strata.engine.gguf.GgufWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Random;

/**
 * Writes tiny random-weight F32 GGUF models of each architecture, with llama.cpp's tensor names and
 * metadata keys, for tests: d = 32, 4 query heads and 2 KV heads of 8 (qwen3: 12, so the head size
 * differs from d / H), ffn = 48, vocab 64, context 64; gemma2/3 have a sliding window of 4 (phi3
 * carries the key, which is ignored);
 * phi3 has fused {@code attn_qkv} and gate+up {@code ffn_up} tensors.
 */
public final class TestModels {
    public static final int DIM = 32;
    public static final int HEADS = 4;
    public static final int KV_HEADS = 2;
    public static final int FFN = 48;
    public static final int VOCAB = 64;
    public static final int CONTEXT = 64;

    private TestModels() {}

    public static int layers(Architecture arch) {
        return arch == Architecture.GEMMA3 ? 7 : 3;
    }

    public static int headSize(Architecture arch) {
        return arch == Architecture.QWEN3 ? 12 : DIM / HEADS;
    }

    /** A writer holding a complete model of {@code arch}; callers may change it before writing. */
    public static GgufWriter writer(Architecture arch, long seed) {
        Random random = new Random(seed);
        String a = arch.ggufName();
        int hd = headSize(arch);
        GgufWriter w = new GgufWriter()
                .putString("general.architecture", a)
                .putString("general.name", "test-" + a)
                .putUInt32(a + ".context_length", CONTEXT)
                .putUInt32(a + ".embedding_length", DIM)
                .putUInt32(a + ".block_count", layers(arch))
                .putUInt32(a + ".feed_forward_length", FFN)
                .putUInt32(a + ".attention.head_count", HEADS)
                .putUInt32(a + ".attention.head_count_kv", KV_HEADS)
                .putFloat32(a + ".attention.layer_norm_rms_epsilon", 1e-6f)
                .putFloat32(a + ".rope.freq_base", 10000f);
        if (arch == Architecture.QWEN3) {
            w.putUInt32(a + ".attention.key_length", hd).putUInt32(a + ".attention.value_length", hd);
        }
        if (arch == Architecture.GEMMA2 || arch == Architecture.GEMMA3 || arch == Architecture.PHI3) {
            w.putUInt32(a + ".attention.sliding_window", 4); // phi3: present in files, ignored
        }
        if (arch == Architecture.GEMMA2) {
            w.putFloat32(a + ".attn_logit_softcapping", 50f).putFloat32(a + ".final_logit_softcapping", 30f);
        }
        String[] tokens = new String[VOCAB];
        for (int i = 0; i < VOCAB; i++) {
            tokens[i] = "t" + i;
        }
        w.putString("tokenizer.ggml.model", "llama").putArray("tokenizer.ggml.tokens", GgufValueType.STRING, tokens);

        matrix(w, random, "token_embd.weight", VOCAB, DIM, 1.0);
        for (int l = 0; l < layers(arch); l++) {
            String p = "blk." + l + ".";
            norm(w, random, p + "attn_norm.weight", DIM);
            if (arch == Architecture.PHI3) {   // fused, as Phi-3 files have them
                matrix(w, random, p + "attn_qkv.weight", (HEADS + 2 * KV_HEADS) * hd, DIM, 0.3);
            } else {
                matrix(w, random, p + "attn_q.weight", HEADS * hd, DIM, 0.3);
                matrix(w, random, p + "attn_k.weight", KV_HEADS * hd, DIM, 0.3);
                matrix(w, random, p + "attn_v.weight", KV_HEADS * hd, DIM, 0.3);
            }
            matrix(w, random, p + "attn_output.weight", DIM, HEADS * hd, 0.3);
            if (arch == Architecture.QWEN2) {
                vector(w, random, p + "attn_q.bias", HEADS * hd, 0.1);
                vector(w, random, p + "attn_k.bias", KV_HEADS * hd, 0.1);
                vector(w, random, p + "attn_v.bias", KV_HEADS * hd, 0.1);
            }
            if (arch.hasQkNorm()) {
                norm(w, random, p + "attn_q_norm.weight", hd);
                norm(w, random, p + "attn_k_norm.weight", hd);
            }
            if (arch.hasPostNorms()) {
                norm(w, random, p + "post_attention_norm.weight", DIM);
                norm(w, random, p + "post_ffw_norm.weight", DIM);
            }
            norm(w, random, p + "ffn_norm.weight", DIM);
            if (arch == Architecture.PHI3) {   // gate rows, then up rows
                matrix(w, random, p + "ffn_up.weight", 2 * FFN, DIM, 0.3);
            } else {
                matrix(w, random, p + "ffn_gate.weight", FFN, DIM, 0.3);
                matrix(w, random, p + "ffn_up.weight", FFN, DIM, 0.3);
            }
            matrix(w, random, p + "ffn_down.weight", DIM, FFN, 0.3);
        }
        norm(w, random, "output_norm.weight", DIM);
        if (arch == Architecture.LLAMA || arch == Architecture.QWEN2 || arch == Architecture.PHI3) {
            matrix(w, random, "output.weight", VOCAB, DIM, 0.5); // the others stay tied
        }
        return w;
    }

    public static Path write(Architecture arch, long seed, Path dir) {
        Path file = dir.resolve(arch.ggufName() + "-" + seed + ".gguf");
        writer(arch, seed).write(file);
        return file;
    }

    static void matrix(GgufWriter w, Random r, String name, int rows, int cols, double scale) {
        w.addTensor(name, GgmlType.F32, new long[] {cols, rows}, floats(r, rows * cols, 0, scale));
    }

    static void vector(GgufWriter w, Random r, String name, int n, double scale) {
        w.addTensor(name, GgmlType.F32, new long[] {n}, floats(r, n, 0, scale));
    }

    static void norm(GgufWriter w, Random r, String name, int n) {
        w.addTensor(name, GgmlType.F32, new long[] {n}, floats(r, n, 1, 0.2));
    }

    private static byte[] floats(Random r, int n, double mean, double scale) {
        ByteBuffer b = ByteBuffer.allocate(n * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            b.putFloat((float) (mean + r.nextGaussian() * scale));
        }
        return b.array();
    }
}
