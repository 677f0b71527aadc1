package dev.strata.engine.tensor;

import dev.strata.engine.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import java.util.Random;

/**
 * A main for {@link KernelsTest} to run in a child JVM with other kernel settings (256-bit vectors,
 * no incubator module): checks every type's {@code dot} and {@code dequantize} against
 * {@code getFloat} through the public API only, prints the kernels in use and "ok", exits 1 on a
 * mismatch.
 */
final class KernelSelfCheck {
    private KernelSelfCheck() {}

    public static void main(String[] args) {
        System.out.println(FloatTensor.kernels());
        Random random = new Random(5);
        int failures = 0;
        for (GgmlType type : KernelTestSupport.TYPES) {
            int n = Math.max(32, type.blockSize()) * 4;
            float[] values = KernelTestSupport.gaussian(random, n, 1f);
            FloatTensor w = FloatTensor.of(type, MemorySegment.ofArray(Quantizer.quantize(type, values)), n);
            float[] x = KernelTestSupport.gaussian(random, n + 9, 1f);
            float[] dequantized = new float[n];
            w.dequantize(0, dequantized, 0, n);
            for (int i = 0; i < n; i++) {
                if (Math.abs(dequantized[i] - w.getFloat(i)) > 1e-6f * (1 + Math.abs(dequantized[i]))) {
                    System.out.println(type + " dequantize differs at " + i);
                    failures++;
                    break;
                }
            }
            int[][] cases = {{0, n, 0}, {3, n - 7, 9}, {type.blockSize(), n - type.blockSize(), 1}};
            for (int[] c : cases) {
                double exact = 0;
                double magnitude = 0;
                for (int i = 0; i < c[1]; i++) {
                    double p = (double) w.getFloat(c[0] + i) * x[c[2] + i];
                    exact += p;
                    magnitude += Math.abs(p);
                }
                float got = w.dot(c[0], x, c[2], c[1]);
                if (Math.abs(got - exact) > 2e-5 * magnitude + 1e-6) {
                    System.out.println(type + " dot " + c[0] + "+" + c[1] + ": " + got + " vs " + exact);
                    failures++;
                }
            }
        }
        System.out.println(failures == 0 ? "ok" : failures + " failures");
        System.exit(failures == 0 ? 0 : 1);
    }
}
