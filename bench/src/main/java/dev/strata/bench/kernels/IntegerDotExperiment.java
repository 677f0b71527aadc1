package dev.strata.bench.kernels;

import jdk.incubator.vector.*;
import java.lang.foreign.*;
import java.nio.ByteOrder;
import java.util.Random;

/**
 * The experiment behind keeping float lanes for Q8_0: the same 256 x 4096 Q8_0 matvec computed (a)
 * with bytes widened to floats and FMA, as {@code Q8_0Tensor} does, and (b) llama.cpp-style, with the
 * activation quantized to Q8_0 once per matvec and int8 x int8 products in short/int lanes. Prints the
 * fastest of many runs of each. Fixed to AVX-512 shapes (16 float lanes).
 * {@code java --add-modules jdk.incubator.vector -cp strata-bench.jar dev.strata.bench.kernels.IntegerDotExperiment}
 */
public final class IntegerDotExperiment {
    static final VectorSpecies<Float> F = FloatVector.SPECIES_512;
    static final VectorSpecies<Byte> B16 = ByteVector.SPECIES_128;
    static final VectorSpecies<Byte> B32 = ByteVector.SPECIES_256;
    static final VectorSpecies<Short> S = ShortVector.SPECIES_512;
    static final VectorSpecies<Integer> I = IntVector.SPECIES_512;
    static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    static final ValueLayout.OfShort H = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(LE);

    static float floatDot(MemorySegment w, long base, float[] x, int blocks) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0;
        for (int b = 0; b < blocks; b++, base += 34) {
            FloatVector d = FloatVector.broadcast(F, Float.float16ToFloat(w.get(H, base)));
            FloatVector q0 = (FloatVector) ByteVector.fromMemorySegment(B16, w, base + 2, LE).convertShape(VectorOperators.B2F, F, 0);
            FloatVector q1 = (FloatVector) ByteVector.fromMemorySegment(B16, w, base + 18, LE).convertShape(VectorOperators.B2F, F, 0);
            a0 = q0.mul(d).fma(FloatVector.fromArray(F, x, 32 * b), a0);
            a1 = q1.mul(d).fma(FloatVector.fromArray(F, x, 32 * b + 16), a1);
        }
        return a0.add(a1).reduceLanes(VectorOperators.ADD);
    }

    static float intDot(MemorySegment w, long base, byte[] xq, float[] xd, int blocks) {
        FloatVector acc = FloatVector.zero(F);
        for (int b = 0; b < blocks; b++, base += 34) {
            ShortVector ws = (ShortVector) ByteVector.fromMemorySegment(B32, w, base + 2, LE).convertShape(VectorOperators.B2S, S, 0);
            ShortVector xs = (ShortVector) ByteVector.fromArray(B32, xq, 32 * b).convertShape(VectorOperators.B2S, S, 0);
            ShortVector p = ws.mul(xs);
            IntVector s = ((IntVector) p.convertShape(VectorOperators.S2I, I, 0)).add((IntVector) p.convertShape(VectorOperators.S2I, I, 1));
            float scale = Float.float16ToFloat(w.get(H, base)) * xd[b];
            acc = ((FloatVector) s.convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(F, scale), acc);
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    private IntegerDotExperiment() {}

    public static void main(String[] a) {
        int rows = 256, cols = 4096, blocks = cols / 32;
        Random r = new Random(1);
        MemorySegment w = Arena.ofAuto().allocate(rows * blocks * 34L, 64);
        for (long i = 0; i < w.byteSize(); i++) w.set(ValueLayout.JAVA_BYTE, i, (byte) r.nextInt(256));
        for (long b = 0; b < rows * blocks; b++) w.set(H, b * 34, Float.floatToFloat16(0.01f));
        float[] x = new float[cols]; for (int i = 0; i < cols; i++) x[i] = (float) r.nextGaussian();
        byte[] xq = new byte[cols]; float[] xd = new float[blocks];
        float[] out = new float[rows];
        for (int mode = 0; mode < 2; mode++) {
            long best = Long.MAX_VALUE; long end = System.nanoTime() + 5_000_000_000L;
            while (System.nanoTime() < end) {
                long s = System.nanoTime();
                if (mode == 1) { // quantize x once per matvec (part of the cost)
                    for (int b = 0; b < blocks; b++) {
                        float amax = 0; for (int j = 0; j < 32; j++) amax = Math.max(amax, Math.abs(x[32 * b + j]));
                        float d = amax / 127, id = d != 0 ? 1 / d : 0; xd[b] = d;
                        for (int j = 0; j < 32; j++) xq[32 * b + j] = (byte) Math.round(x[32 * b + j] * id);
                    }
                }
                for (int row = 0; row < rows; row++) {
                    out[row] = mode == 0 ? floatDot(w, (long) row * blocks * 34, x, blocks) : intDot(w, (long) row * blocks * 34, xq, xd, blocks);
                }
                best = Math.min(best, System.nanoTime() - s);
            }
            System.out.printf("%s: best %.1f us (%.2f Gweights/s)%n", mode == 0 ? "float lanes (current)" : "int lanes + quantize x", best / 1e3, rows * (double) cols / best);
        }
    }
}
