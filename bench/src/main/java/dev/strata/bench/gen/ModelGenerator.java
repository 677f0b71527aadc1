package dev.strata.bench.gen;

import dev.strata.engine.gguf.GgmlType;
import dev.strata.engine.gguf.GgufFile;
import dev.strata.engine.gguf.GgufTensorInfo;
import dev.strata.engine.gguf.GgufWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Writes a random-weight GGUF model of a {@link ModelShape} in a {@link WeightType}, with a real
 * vocabulary, that llama.cpp and Strata both load.
 *
 * <p>Weights are well scaled so that activations look like a trained model's: matrices are
 * approximately normal (Irwin-Hall sum of four uniforms) with standard deviation
 * {@code 1/sqrt(rowLength)}, so each projection keeps unit scale; norm weights are {@code 1 ± 0.1};
 * biases have deviation 0.1; the embedding and output matrices have deviation
 * {@code 3/sqrt(embeddingLength)}, so that logits have a deviation near 3 (peaked enough that greedy
 * decoding is not decided by rounding noise, flat enough that the top-10 carry probability).
 *
 * <p>The file is written in two passes that keep memory flat for billion-parameter shapes: the
 * header with all tensors as holes, then each tensor in chunks of rows generated, encoded and
 * written at their offsets by a few threads. Each chunk has its own seed derived from
 * {@code (seed, tensor, chunk)}, so the bytes do not depend on the thread count.
 */
public final class ModelGenerator {
    /** Target deviation of the logits (embedding/output scale). */
    static final double LOGIT_STD = 3.0;
    static final double NORM_STD = 0.1;
    static final double BIAS_STD = 0.1;
    private static final int CHUNK_ELEMENTS = 1 << 20;

    private final BlockEncoder encoder;
    private final int threads;

    /** What was written: the file, its size, parameter count and how many tensors of each type. */
    public record Result(Path file, long sizeBytes, long numParameters, Map<GgmlType, Integer> tensorsByType) {
        public Result {
            Objects.requireNonNull(file, "file");
            tensorsByType = Map.copyOf(tensorsByType);
        }
    }

    /** How one tensor's values are made. */
    private sealed interface Init {
        /** Approximately normal values. */
        record Normal(double mean, double std) implements Init {}

        /** Given values (a 1-D tensor). */
        record Fixed(float[] values) implements Init {}
    }

    private record PlannedTensor(String name, long[] shape, GgmlType type, Init init) {
        int rowLength() {
            return (int) shape[0];
        }

        long numElements() {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            return n;
        }
    }

    public ModelGenerator(BlockEncoder encoder, int threads) {
        this.encoder = Objects.requireNonNull(encoder, "encoder");
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        this.threads = threads;
    }

    /** Writes the model to {@code out} (replacing it); {@code vocab} is padded to the shape's vocabulary size. */
    public Result generate(ModelShape shape, WeightType weightType, Vocab vocab, long seed, Path out) {
        return generate(shape, weightType, Map.of(), vocab, seed, out);
    }

    /**
     * As {@link #generate(ModelShape, WeightType, Vocab, long, Path)}, but the matrices of each role in
     * {@code overrides} get that type instead (GGUF gives every tensor its own type): a mixed file
     * such as "all F32 but {@code ffn_down} in Q8_0" tells which matmul moves a result. The random
     * values are those of the unmixed file, whatever the types.
     *
     * @throws IllegalArgumentException if an override's block does not divide the role's rows
     */
    public Result generate(ModelShape shape, WeightType weightType, Map<TensorRole, GgmlType> overrides, Vocab vocab,
                           long seed, Path out) {
        Vocab padded = vocab.paddedTo(shape.vocabSize());
        List<PlannedTensor> plan = withOverrides(plan(shape, weightType), overrides);
        GgufWriter writer = new GgufWriter();
        putMetadata(writer, shape, weightType, padded, seed);
        for (PlannedTensor t : plan) {
            writer.addTensor(t.name(), t.type(), t.shape(), (java.lang.foreign.MemorySegment) null);
        }
        long size = writer.write(out);
        try {
            fill(out, plan, seed);
        } catch (RuntimeException | Error e) {
            try {
                Files.deleteIfExists(out);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        Map<GgmlType, Integer> byType = new EnumMap<>(GgmlType.class);
        long parameters = 0;
        for (PlannedTensor t : plan) {
            byType.merge(t.type(), 1, Integer::sum);
            parameters += t.numElements();
        }
        return new Result(out, size, parameters, byType);
    }

    private static void putMetadata(GgufWriter w, ModelShape s, WeightType type, Vocab vocab, long seed) {
        String a = s.arch().ggufName();
        w.putString("general.architecture", a);
        w.putString("general.name", "strata-random-" + s.name());
        w.putString("general.description", "random weights with the shape of " + s.name() + ", seed " + seed
                + ", vocabulary of " + vocab.source() + " (Strata bench gen-model)");
        w.putUInt32("general.file_type", type.fileType());
        if (type.baseType().isQuantized()) {
            w.putUInt32("general.quantization_version", 2);
        }
        w.putUInt32(a + ".vocab_size", s.vocabSize());
        w.putUInt32(a + ".context_length", s.contextLength());
        w.putUInt32(a + ".embedding_length", s.embeddingLength());
        w.putUInt32(a + ".block_count", s.numLayers());
        w.putUInt32(a + ".feed_forward_length", s.feedForwardLength());
        w.putUInt32(a + ".attention.head_count", s.numHeads());
        w.putUInt32(a + ".attention.head_count_kv", s.numKvHeads());
        w.putFloat32(a + ".rope.freq_base", s.ropeFreqBase());
        w.putFloat32(a + ".attention.layer_norm_rms_epsilon", s.rmsNormEps());
        w.putUInt32(a + ".rope.dimension_count", s.headDim());
        if (s.headDim() * s.numHeads() != s.embeddingLength()) {
            w.putUInt32(a + ".attention.key_length", s.headDim());
            w.putUInt32(a + ".attention.value_length", s.headDim());
        }
        w.putAll(vocab.metadata());
    }

    private static List<PlannedTensor> plan(ModelShape s, WeightType type) {
        List<PlannedTensor> plan = new ArrayList<>();
        int d = s.embeddingLength();
        int layers = s.numLayers();
        Init embedding = new Init.Normal(0, LOGIT_STD / Math.sqrt(d));
        Init norm = new Init.Normal(1, NORM_STD);
        Init bias = new Init.Normal(0, BIAS_STD);
        plan.add(matrix("token_embd.weight", d, s.vocabSize(),
                type.typeFor(TensorRole.TOKEN_EMBEDDING, d, 0, layers, s.tiedEmbeddings()), embedding));
        s.llama3Rope().ifPresent(r -> plan.add(new PlannedTensor("rope_freqs.weight", new long[] {s.headDim() / 2},
                GgmlType.F32, new Init.Fixed(r.frequencyDivisors(s.headDim(), s.ropeFreqBase())))));
        for (int i = 0; i < layers; i++) {
            String p = "blk." + i + ".";
            plan.add(vector(p + "attn_norm.weight", d, norm));
            plan.add(weight(p + "attn_q.weight", d, s.queryLength(), TensorRole.ATTENTION_Q, type, i, s));
            plan.add(weight(p + "attn_k.weight", d, s.kvLength(), TensorRole.ATTENTION_K, type, i, s));
            plan.add(weight(p + "attn_v.weight", d, s.kvLength(), TensorRole.ATTENTION_V, type, i, s));
            if (s.arch() == Arch.QWEN2) {
                plan.add(vector(p + "attn_q.bias", s.queryLength(), bias));
                plan.add(vector(p + "attn_k.bias", s.kvLength(), bias));
                plan.add(vector(p + "attn_v.bias", s.kvLength(), bias));
            }
            if (s.arch() == Arch.QWEN3) {
                plan.add(vector(p + "attn_q_norm.weight", s.headDim(), norm));
                plan.add(vector(p + "attn_k_norm.weight", s.headDim(), norm));
            }
            plan.add(weight(p + "attn_output.weight", s.queryLength(), d, TensorRole.ATTENTION_OUTPUT, type, i, s));
            plan.add(vector(p + "ffn_norm.weight", d, norm));
            plan.add(weight(p + "ffn_gate.weight", d, s.feedForwardLength(), TensorRole.FFN_GATE, type, i, s));
            plan.add(weight(p + "ffn_up.weight", d, s.feedForwardLength(), TensorRole.FFN_UP, type, i, s));
            plan.add(weight(p + "ffn_down.weight", s.feedForwardLength(), d, TensorRole.FFN_DOWN, type, i, s));
        }
        plan.add(vector("output_norm.weight", d, norm));
        if (!s.tiedEmbeddings()) {
            plan.add(matrix("output.weight", d, s.vocabSize(),
                    type.typeFor(TensorRole.OUTPUT, d, 0, layers, false), embedding));
        }
        return plan;
    }

    private static List<PlannedTensor> withOverrides(List<PlannedTensor> plan, Map<TensorRole, GgmlType> overrides) {
        if (overrides.isEmpty()) {
            return plan;
        }
        List<PlannedTensor> mixed = new ArrayList<>(plan.size());
        for (PlannedTensor t : plan) {
            GgmlType type = roleOf(t.name()).map(overrides::get).orElse(t.type());
            if (t.rowLength() % type.blockSize() != 0) {
                throw new IllegalArgumentException(t.name() + " has rows of " + t.rowLength()
                        + ", not a multiple of the " + type + " block (" + type.blockSize() + ")");
            }
            mixed.add(new PlannedTensor(t.name(), t.shape(), type, t.init()));
        }
        return mixed;
    }

    /** The role of a matrix named as {@link #plan} names them; empty for vectors. */
    static Optional<TensorRole> roleOf(String tensorName) {
        String base = tensorName.substring(tensorName.lastIndexOf('.', tensorName.length() - ".weight".length() - 1) + 1);
        TensorRole role = switch (base) {
            case "token_embd.weight" -> TensorRole.TOKEN_EMBEDDING;
            case "output.weight" -> TensorRole.OUTPUT;
            case "attn_q.weight" -> TensorRole.ATTENTION_Q;
            case "attn_k.weight" -> TensorRole.ATTENTION_K;
            case "attn_v.weight" -> TensorRole.ATTENTION_V;
            case "attn_output.weight" -> TensorRole.ATTENTION_OUTPUT;
            case "ffn_gate.weight" -> TensorRole.FFN_GATE;
            case "ffn_up.weight" -> TensorRole.FFN_UP;
            case "ffn_down.weight" -> TensorRole.FFN_DOWN;
            default -> null;
        };
        return Optional.ofNullable(role);
    }

    private static PlannedTensor weight(String name, int rowLength, int rows, TensorRole role, WeightType type,
                                        int layer, ModelShape s) {
        GgmlType t = type.typeFor(role, rowLength, layer, s.numLayers(), s.tiedEmbeddings());
        return matrix(name, rowLength, rows, t, new Init.Normal(0, 1 / Math.sqrt(rowLength)));
    }

    private static PlannedTensor matrix(String name, int rowLength, int rows, GgmlType type, Init init) {
        return new PlannedTensor(name, new long[] {rowLength, rows}, type, init);
    }

    private static PlannedTensor vector(String name, int length, Init init) {
        return new PlannedTensor(name, new long[] {length}, GgmlType.F32, init);
    }

    /** Second pass: generates, encodes and writes every tensor's data at its offset. */
    private void fill(Path file, List<PlannedTensor> plan, long seed) {
        Map<String, Long> offsets = new HashMap<>();
        try (GgufFile gguf = GgufFile.open(file)) {
            for (GgufTensorInfo info : gguf.tensors()) {
                offsets.put(info.name(), gguf.dataOffset() + info.offset());
            }
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "gen-model");
            t.setDaemon(true);
            return t;
        });
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            List<Future<?>> pending = new ArrayList<>();
            for (int ti = 0; ti < plan.size(); ti++) {
                PlannedTensor t = plan.get(ti);
                long rows = t.numElements() / t.rowLength();
                long rowsPerChunk = Math.max(1, CHUNK_ELEMENTS / t.rowLength());
                long rowBytes = t.type().sizeBytes(t.rowLength());
                long base = offsets.get(t.name());
                for (long first = 0, chunk = 0; first < rows; first += rowsPerChunk, chunk++) {
                    int n = (int) Math.min(rowsPerChunk, rows - first);
                    long position = base + first * rowBytes;
                    long chunkSeed = seed ^ (ti * 0x9E3779B97F4A7C15L) ^ (chunk * 0xC2B2AE3D27D4EB4FL);
                    pending.add(pool.submit(() -> writeChunk(channel, position, t, n, chunkSeed)));
                }
            }
            for (Future<?> f : pending) {
                f.get();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while writing " + file, e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException("generating " + file + " failed: " + e.getCause(), e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    private Void writeChunk(FileChannel channel, long position, PlannedTensor t, int rows, long seed)
            throws IOException {
        float[] values = switch (t.init()) {
            case Init.Fixed fixed -> fixed.values();
            case Init.Normal normal -> {
                float[] v = new float[rows * t.rowLength()];
                fillNormal(v, normal.mean(), normal.std(), new SplittableRandom(seed));
                yield v;
            }
        };
        byte[] bytes = encoder.encode(t.type(), values, t.rowLength());
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        long at = position;
        while (buffer.hasRemaining()) {
            at += channel.write(buffer, at);
        }
        return null;
    }

    /** Irwin-Hall: the sum of four 16-bit uniforms, centred and scaled to unit variance. */
    private static void fillNormal(float[] values, double mean, double std, SplittableRandom random) {
        final double center = 4 * 65535 / 2.0;
        final double unitScale = 1 / Math.sqrt(4 * (65536.0 * 65536.0 - 1) / 12);
        double scale = std * unitScale;
        for (int i = 0; i < values.length; i++) {
            long r = random.nextLong();
            long sum = (r & 0xffff) + ((r >>> 16) & 0xffff) + ((r >>> 32) & 0xffff) + (r >>> 48);
            values[i] = (float) (mean + (sum - center) * scale);
        }
    }
}
