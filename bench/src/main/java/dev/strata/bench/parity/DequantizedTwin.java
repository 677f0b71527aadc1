package dev.strata.bench.parity;

import dev.strata.engine.gguf.GgmlType;
import dev.strata.engine.gguf.GgufFile;
import dev.strata.engine.gguf.GgufTensorInfo;
import dev.strata.engine.gguf.GgufWriter;
import dev.strata.engine.tensor.FloatTensor;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/**
 * Writes the F32 twin of a model: same metadata, every tensor dequantized to F32. llama.cpp runs an
 * F32 model with F32 activations, whereas for block-quantized weights it first quantizes the
 * activations (to Q8_0, Q8_1 or Q8_K, F16 for F16 weights). Comparing Strata on the quantized file
 * with llama.cpp on its twin therefore isolates Strata's own arithmetic from that choice of
 * llama.cpp's. For small models only (the whole twin is built in memory).
 */
public final class DequantizedTwin {
    private DequantizedTwin() {
    }

    public static void write(Path quantized, Path twin) {
        try (GgufFile in = GgufFile.open(quantized)) {
            GgufWriter out = new GgufWriter().putAll(in.metadata());
            out.putUInt32("general.file_type", 0);
            for (GgufTensorInfo t : in.tensors()) {
                long n = t.numElements();
                if (n > Integer.MAX_VALUE / 4) {
                    throw new IllegalArgumentException(t.name() + " is too large for an in-memory twin");
                }
                float[] values = new float[(int) n];
                FloatTensor.of(t.type(), in.tensorData(t), n).dequantize(0, values, 0, values.length);
                out.addTensor(t.name(), GgmlType.F32, t.shape(), MemorySegment.ofArray(values));
            }
            out.write(twin);
        }
    }
}
