package dev.strata.bench.kernels;

import dev.strata.engine.gguf.GgmlType;
import dev.strata.engine.tensor.ComputePool;
import dev.strata.engine.tensor.FloatTensor;
import dev.strata.engine.tensor.MatMul;
import dev.strata.engine.tensor.Quantizer;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Matrix-vector product on one thread for each weight type: {@code rows x cols} weights (random,
 * quantized with {@link Quantizer}) times one activation vector, the shape of one decode step.
 * The weights (1M elements: 0.3 to 4 MB) stay mostly in L2/L3, so this measures kernel speed, not
 * DRAM bandwidth.
 *
 * <p>Vector and scalar kernels are chosen once per JVM; compare them with two runs, the second with
 * {@code -jvmArgsAppend -Dstrata.kernels=scalar}. Weight throughput in GB/s = weight bytes (printed
 * by {@link #weightBytes}) / time per operation.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class MatVecBenchmark {
    @Param({"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K"})
    public String type;

    @Param({"256"})
    public int rows;

    @Param({"4096"})
    public int cols;

    /** Tokens per call: 1 is a decode step (matvec); more is a prefill chunk (matmul). */
    @Param({"1"})
    public int tokens;

    private Arena arena;
    private ComputePool pool;
    private MatMul matMul;
    private FloatTensor weights;
    private float[] x;
    private float[] out;

    @Setup(Level.Trial)
    public void setUp() {
        Random random = new Random(1);
        float[] values = new float[rows * cols];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) random.nextGaussian() * 0.02f;
        }
        GgmlType ggmlType = GgmlType.valueOf(type);
        // native memory, like the weights of a memory-mapped GGUF file
        byte[] quantized = Quantizer.quantize(ggmlType, values);
        arena = Arena.ofShared();
        MemorySegment weightData = arena.allocate(quantized.length, 64);
        MemorySegment.copy(MemorySegment.ofArray(quantized), 0, weightData, 0, quantized.length);
        weights = FloatTensor.of(ggmlType, weightData.asReadOnly(), (long) rows * cols);
        x = new float[tokens * cols];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        out = new float[tokens * rows];
        pool = new ComputePool(1);
        matMul = new MatMul(pool);
        System.out.printf("%n[%s kernels, %s: %d weight bytes]%n", FloatTensor.kernels(), type, weightBytes());
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        pool.close();
        arena.close();
    }

    public long weightBytes() {
        return GgmlType.valueOf(type).sizeBytes((long) rows * cols);
    }

    @Benchmark
    public float[] matmul() {
        matMul.matmul(weights, rows, cols, x, tokens, out);
        return out;
    }
}
