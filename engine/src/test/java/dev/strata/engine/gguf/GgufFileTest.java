package dev.strata.engine.gguf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.engine.EngineException;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GgufFileTest {
    @TempDir
    Path dir;

    static Path demoModel() {
        return Path.of(System.getProperty("strata.models.dir", "../models"), "stories260K.gguf");
    }

    @Test
    void readsTheDemoModel() {
        try (GgufFile f = GgufFile.open(demoModel())) {
            assertThat(f.version()).isEqualTo(3);
            assertThat(f.getString("general.architecture")).contains("llama");
            assertThat(f.getInt("llama.embedding_length")).contains(64);
            assertThat(f.getInt("llama.block_count")).contains(5);
            assertThat(f.getDouble("llama.attention.layer_norm_rms_epsilon").orElseThrow()).isCloseTo(1e-5, org.assertj.core.data.Offset.offset(1e-9));
            assertThat(f.getBoolean("tokenizer.ggml.add_bos_token")).contains(true);
            String[] tokens = (String[]) f.getArray("tokenizer.ggml.tokens").orElseThrow().values();
            assertThat(tokens).hasSize(512);
            assertThat(tokens[1]).isEqualTo("<s>");
            assertThat(f.tensors()).hasSize(47);
            GgufTensorInfo embd = f.tensor("token_embd.weight").orElseThrow();
            assertThat(embd.type()).isEqualTo(GgmlType.F32);
            assertThat(embd.shape()).containsExactly(64, 512);
            assertThat(embd.sizeBytes()).isEqualTo(64 * 512 * 4);
            assertThat(f.tensorData(embd).byteSize()).isEqualTo(embd.sizeBytes());
            assertThat(f.dataOffset() % f.alignment()).isZero();
        }
    }

    @Test
    void roundTripsEveryMetadataType() {
        GgufWriter w = new GgufWriter()
                .put("u8", new GgufValue.Scalar(GgufValueType.UINT8, 250))
                .put("i8", new GgufValue.Scalar(GgufValueType.INT8, (byte) -7))
                .put("u16", new GgufValue.Scalar(GgufValueType.UINT16, 65000))
                .put("i16", new GgufValue.Scalar(GgufValueType.INT16, (short) -300))
                .putUInt32("u32", 4_000_000_000L)
                .putInt32("i32", -123456)
                .putFloat32("f32", 1.5f)
                .putBool("bool", true)
                .putString("str", "héllo ✓ 🙂")
                .put("u64", new GgufValue.Scalar(GgufValueType.UINT64, -1L))
                .put("i64", new GgufValue.Scalar(GgufValueType.INT64, Long.MIN_VALUE))
                .put("f64", new GgufValue.Scalar(GgufValueType.FLOAT64, Math.PI))
                .putArray("a.u8", GgufValueType.UINT8, new byte[] {1, (byte) 255})
                .putArray("a.i8", GgufValueType.INT8, new byte[] {-1, 2})
                .putArray("a.u16", GgufValueType.UINT16, new short[] {1, (short) 65535})
                .putArray("a.i16", GgufValueType.INT16, new short[] {-1, 2})
                .putArray("a.u32", GgufValueType.UINT32, new int[] {1, -1})
                .putArray("a.i32", GgufValueType.INT32, new int[] {-5, 5})
                .putArray("a.f32", GgufValueType.FLOAT32, new float[] {0.25f, -2f})
                .putArray("a.bool", GgufValueType.BOOL, new boolean[] {true, false, true})
                .putArray("a.str", GgufValueType.STRING, new String[] {"a", "", "ü"})
                .putArray("a.u64", GgufValueType.UINT64, new long[] {Long.MAX_VALUE})
                .putArray("a.i64", GgufValueType.INT64, new long[] {-9})
                .putArray("a.f64", GgufValueType.FLOAT64, new double[] {1e300})
                .putArray("a.empty", GgufValueType.INT32, new int[0])
                .putArray("a.nested", GgufValueType.ARRAY, new GgufValue.Array[] {
                    new GgufValue.Array(GgufValueType.INT32, new int[] {1, 2}),
                    new GgufValue.Array(GgufValueType.STRING, new String[] {"x"})});
        Path file = dir.resolve("types.gguf");
        w.write(file);
        try (GgufFile f = GgufFile.open(file)) {
            Map<String, GgufValue> m = f.metadata();
            assertThat(m).hasSize(26);
            assertThat(scalar(m, "u8")).isEqualTo(250);
            assertThat(scalar(m, "i8")).isEqualTo((byte) -7);
            assertThat(scalar(m, "u16")).isEqualTo(65000);
            assertThat(scalar(m, "i16")).isEqualTo((short) -300);
            assertThat(scalar(m, "u32")).isEqualTo(4_000_000_000L);
            assertThat(f.getLong("u32")).contains(4_000_000_000L);
            assertThat(scalar(m, "i32")).isEqualTo(-123456);
            assertThat(scalar(m, "f32")).isEqualTo(1.5f);
            assertThat(scalar(m, "bool")).isEqualTo(true);
            assertThat(f.getString("str")).contains("héllo ✓ 🙂");
            assertThat(scalar(m, "u64")).isEqualTo(-1L);
            assertThat(scalar(m, "i64")).isEqualTo(Long.MIN_VALUE);
            assertThat(scalar(m, "f64")).isEqualTo(Math.PI);
            assertThat(m.get("a.u8")).isEqualTo(new GgufValue.Array(GgufValueType.UINT8, new byte[] {1, (byte) 255}));
            assertThat(m.get("a.bool")).isEqualTo(new GgufValue.Array(GgufValueType.BOOL, new boolean[] {true, false, true}));
            assertThat((String[]) ((GgufValue.Array) m.get("a.str")).values()).containsExactly("a", "", "ü");
            assertThat((double[]) ((GgufValue.Array) m.get("a.f64")).values()).containsExactly(1e300);
            assertThat(((GgufValue.Array) m.get("a.empty")).length()).isZero();
            GgufValue.Array[] nested = (GgufValue.Array[]) ((GgufValue.Array) m.get("a.nested")).values();
            assertThat((int[]) nested[0].values()).containsExactly(1, 2);
            assertThat((String[]) nested[1].values()).containsExactly("x");
            for (String key : m.keySet()) {
                assertThat(m.get(key)).as(key).isEqualTo(w.metadataForTest().get(key));
            }
            assertThatThrownBy(() -> f.getString("a.str")).isInstanceOf(EngineException.InvalidModelFile.class)
                    .hasMessageContaining("a.str");
        }
    }

    private static Object scalar(Map<String, GgufValue> m, String key) {
        return ((GgufValue.Scalar) m.get(key)).value();
    }

    @Test
    void honoursGeneralAlignment() {
        byte[] a = new byte[3 * 34];
        byte[] b = new byte[4 * 4];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) i;
        }
        Path file = dir.resolve("aligned.gguf");
        new GgufWriter().alignment(256)
                .addTensor("a", GgmlType.Q8_0, new long[] {96}, a)
                .addTensor("b", GgmlType.F32, new long[] {2, 2}, b)
                .write(file);
        try (GgufFile f = GgufFile.open(file)) {
            assertThat(f.alignment()).isEqualTo(256);
            assertThat(f.dataOffset() % 256).isZero();
            GgufTensorInfo tb = f.tensor("b").orElseThrow();
            assertThat(tb.offset()).isEqualTo(256);
            assertThat(f.tensorData(tb).toArray(ValueLayout.JAVA_BYTE)).isEqualTo(b);
        }
    }

    @Test
    void rejectsBadAlignmentValues() throws IOException {
        Path notPow2 = dir.resolve("a.gguf");
        new GgufWriter().putUInt32(GgufFile.ALIGNMENT_KEY, 48).write(notPow2);
        assertThatThrownBy(() -> GgufFile.open(notPow2)).isInstanceOf(EngineException.InvalidModelFile.class)
                .hasMessageContaining("power of two");
        Path wrongType = dir.resolve("b.gguf");
        new GgufWriter().putString(GgufFile.ALIGNMENT_KEY, "32").write(wrongType);
        assertThatThrownBy(() -> GgufFile.open(wrongType)).isInstanceOf(EngineException.InvalidModelFile.class)
                .hasMessageContaining("uint32");
    }

    @Test
    void rejectsFilesThatAreNotGguf() throws IOException {
        Path empty = Files.write(dir.resolve("empty.gguf"), new byte[0]);
        assertThatThrownBy(() -> GgufFile.open(empty)).isInstanceOf(EngineException.InvalidModelFile.class)
                .hasMessageContaining("not a GGUF file");
        Path text = Files.writeString(dir.resolve("x.gguf"), "hello world, not a model");
        assertThatThrownBy(() -> GgufFile.open(text)).isInstanceOf(EngineException.InvalidModelFile.class)
                .hasMessageContaining("magic");
        assertThatThrownBy(() -> GgufFile.open(dir.resolve("missing.gguf")))
                .isInstanceOf(EngineException.InvalidModelFile.class).hasMessageContaining("no such file");
        ByteBuffer v1 = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN).putInt(GgufFile.MAGIC).putInt(1);
        Path old = Files.write(dir.resolve("v1.gguf"), v1.array());
        assertThatThrownBy(() -> GgufFile.open(old)).isInstanceOf(EngineException.Unsupported.class)
                .hasMessageContaining("version 1");
    }

    @Test
    void readsTensorsBeyondTwoGigabytesOfASparseFile() throws IOException {
        long bigElements = 1L << 30; // 4 GiB of F32, left as a hole
        float[] tail = {1f, 2f, 3f, 4f, 5f, 6f, 7f, 8f};
        MemorySegment tailBytes = MemorySegment.ofArray(tail);
        Path file = dir.resolve("big.gguf");
        new GgufWriter()
                .addTensor("big", GgmlType.F32, new long[] {1024, bigElements / 1024}, (MemorySegment) null)
                .addTensor("tail", GgmlType.F32, new long[] {8}, tailBytes)
                .write(file);
        try (GgufFile f = GgufFile.open(file)) {
            assertThat(f.sizeBytes()).isGreaterThan(4L << 30);
            GgufTensorInfo big = f.tensor("big").orElseThrow();
            assertThat(big.sizeBytes()).isEqualTo(4L << 30);
            GgufTensorInfo t = f.tensor("tail").orElseThrow();
            assertThat(f.dataOffset() + t.offset()).isGreaterThan(Integer.MAX_VALUE);
            MemorySegment data = f.tensorData(t);
            for (int i = 0; i < tail.length; i++) {
                assertThat(data.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i)).isEqualTo(tail[i]);
            }
            assertThat(f.tensorData(big).get(ValueLayout.JAVA_FLOAT_UNALIGNED, big.sizeBytes() - 4)).isZero();
        }
    }

    @Test
    void rejectsTensorsThatPointPastTheEnd() throws IOException {
        Path file = dir.resolve("t.gguf");
        new GgufWriter().addTensor("w", GgmlType.F32, new long[] {64, 64}, new byte[64 * 64 * 4]).write(file);
        byte[] bytes = Files.readAllBytes(file);
        Path cut = Files.write(dir.resolve("cut.gguf"), java.util.Arrays.copyOf(bytes, bytes.length - 100));
        assertThatThrownBy(() -> GgufFile.open(cut)).isInstanceOf(EngineException.InvalidModelFile.class)
                .hasMessageContaining("tensor w");
    }

    @Test
    void rejectsRowsThatAreNotWholeBlocks() {
        assertThatThrownBy(() -> new GgufWriter().addTensor("q", GgmlType.Q4_0, new long[] {33}, (MemorySegment) null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("block size 32");
    }
}
