package dev.strata.bench.kernels;

import dev.strata.bench.peer.GgmlVecDot;
import dev.strata.engine.gguf.GgmlType;
import dev.strata.engine.tensor.ComputePool;
import dev.strata.engine.tensor.FloatTensor;
import dev.strata.engine.tensor.MatMul;
import dev.strata.engine.tensor.Quantizer;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;

/**
 * Best-of-N timing of the same single-threaded product as {@link MatVecBenchmark}, for machines
 * shared with other work where JMH's averages mostly measure the neighbours: the fastest of many
 * runs approximates the kernel's own speed. Usage:
 * {@code java --add-modules jdk.incubator.vector -cp strata-bench.jar dev.strata.bench.kernels.KernelThroughput
 * SECONDS_PER_TYPE TOKENS TYPE...}; add {@code -Dstrata.kernels=scalar} for the scalar kernels.
 *
 * <p>ggml's own kernel runs as a peer in the same loop, one run each in turn ({@link GgmlVecDot#rows}:
 * activations converted to the type's vec_dot type once per token, then {@code vec_dot} per row, as
 * llama.cpp's {@code mul_mat} does with one thread), and the line below each type prints its time and
 * Strata's speed relative to it ({@code Strata/ggml}: above 1 means Strata is faster).
 */
public final class KernelThroughput {
    /** Matrix shape; {@code -Dkernels.rows=N -Dkernels.cols=N} change it (e.g. a model's real matrices). */
    private static final int ROWS = Integer.getInteger("kernels.rows", 256);
    private static final int COLS = Integer.getInteger("kernels.cols", 4096);

    /**
     * {@code -Dkernels.mapped=true}: Strata's weights come from a memory-mapped temporary file, as a
     * model's do (page-cache pages), instead of an anonymous allocation (which may get huge pages).
     */
    private static final boolean MAPPED = Boolean.getBoolean("kernels.mapped");

    private KernelThroughput() {}

    /** {@code bytes} written to a temporary file (deleted on exit) and mapped read-only in {@code arena}. */
    private static MemorySegment mapped(byte[] bytes, Arena arena) {
        try {
            java.nio.file.Path file = java.nio.file.Files.createTempFile("strata-kernels", ".bin");
            file.toFile().deleteOnExit();
            java.nio.file.Files.write(file, bytes);
            try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(file)) {
                return channel.map(java.nio.channels.FileChannel.MapMode.READ_ONLY, 0, bytes.length, arena);
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    public static void main(String[] args) {
        if (args.length < 3) {
            System.err.println("usage: KernelThroughput SECONDS_PER_TYPE TOKENS TYPE...");
            System.exit(2);
        }
        double seconds = Double.parseDouble(args[0]);
        int tokens = Integer.parseInt(args[1]);
        Random random = new Random(1);
        float[] values = new float[ROWS * COLS];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) random.nextGaussian() * 0.02f;
        }
        float[] x = new float[COLS * tokens];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        float[] out = new float[ROWS * tokens];
        System.out.printf("%s kernels, %d x %d weights, %d token(s), 1 thread%n", FloatTensor.kernels(), ROWS, COLS,
                tokens);
        GgmlVecDot ggml = loadPeer();
        try (ComputePool pool = new ComputePool(1); Arena arena = Arena.ofConfined()) {
            MatMul matMul = new MatMul(pool);
            for (int k = 2; k < args.length; k++) {
                GgmlType type = GgmlType.valueOf(args[k]);
                byte[] quantized = Quantizer.quantize(type, values);
                MemorySegment weights = MAPPED ? mapped(quantized, arena) : arena.allocate(quantized.length, 64);
                if (!MAPPED) {
                    MemorySegment.copy(MemorySegment.ofArray(quantized), 0, weights, 0, quantized.length);
                }
                FloatTensor w = FloatTensor.of(type, weights.asReadOnly(), (long) ROWS * COLS);
                GgmlVecDot.Rows peer = ggml == null ? null : ggml.rows(type, quantized, ROWS, COLS);
                float[] token = new float[COLS];
                float[] peerOut = new float[ROWS];
                long end = System.nanoTime() + (long) (seconds * 1e9);
                long best = Long.MAX_VALUE;
                long peerBest = Long.MAX_VALUE;
                int runs = 0;
                while (System.nanoTime() < end) {
                    long start = System.nanoTime();
                    matMul.matmul(w, ROWS, COLS, x, tokens, out);
                    best = Math.min(best, System.nanoTime() - start);
                    runs++;
                    if (peer != null) { // interleaved, so that both see the same neighbours
                        start = System.nanoTime();
                        for (int t = 0; t < tokens; t++) {
                            System.arraycopy(x, t * COLS, token, 0, COLS);
                            peer.matvec(token, peerOut);
                        }
                        peerBest = Math.min(peerBest, System.nanoTime() - start);
                    }
                }
                System.out.printf("%-5s best %9.1f us  %6.2f GB/s of weights  %6.2f G weight-token products/s  (%d runs)%n",
                        type, best / 1e3, quantized.length / (double) best, (double) ROWS * COLS * tokens / best, runs);
                if (peer != null) {
                    System.out.printf("      ggml %9.1f us  %6.2f GB/s of weights  Strata/ggml speed %.2fx  (max |diff| %.2g of max |out| %.2g)%n",
                            peerBest / 1e3, quantized.length / (double) peerBest, peerBest / (double) best,
                            maxDifference(out, peerOut), maxMagnitude(peerOut));
                    peer.close();
                }
            }
        }
    }

    /** ggml's kernels from the bundled llama.cpp library, or null (with a note) where it cannot load. */
    private static GgmlVecDot loadPeer() {
        try {
            return GgmlVecDot.load();
        } catch (RuntimeException | LinkageError e) {
            System.out.println("ggml peer unavailable: " + e.getMessage());
            return null;
        }
    }

    /** Largest difference between the last token's outputs of Strata ({@code out}'s tail) and ggml. */
    private static double maxDifference(float[] out, float[] peerOut) {
        int base = out.length - peerOut.length;
        double max = 0;
        for (int r = 0; r < peerOut.length; r++) {
            max = Math.max(max, Math.abs(out[base + r] - peerOut[r]));
        }
        return max;
    }

    private static double maxMagnitude(float[] v) {
        double max = 0;
        for (float f : v) {
            max = Math.max(max, Math.abs(f));
        }
        return max;
    }
}
