package dev.strata.engine.tensor;

import java.util.Locale;

/**
 * Chooses, once per JVM, between the Vector API kernels and the scalar reference kernels.
 *
 * <p>The vector path is used when the {@code jdk.incubator.vector} module is in the boot layer
 * (the launcher and the test runner add it with {@code --add-modules}) and the preferred float
 * vector has 8 or 16 lanes (AVX2, AVX-512). The system property {@code strata.kernels=scalar}
 * forces the scalar path; {@code strata.kernels=vector} (or {@code auto}, the default) uses vectors
 * where they are usable and falls back to scalar otherwise. The vector classes are only touched
 * after the module check, so the engine still runs on a JVM started without the module.
 */
final class Kernels {
    /** System property that selects the kernels: {@code auto} (default), {@code vector} or {@code scalar}. */
    static final String PROPERTY = "strata.kernels";

    static final boolean VECTOR = selectVector();

    private Kernels() {}

    private static boolean selectVector() {
        boolean modulePresent = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
        return select(System.getProperty(PROPERTY, "auto"), modulePresent);
    }

    /**
     * The choice for a property value and module presence: vectors unless {@code scalar} is asked
     * for, the module is missing, or the machine's vectors are too narrow. Unknown values mean auto.
     */
    static boolean select(String mode, boolean modulePresent) {
        if (mode.strip().toLowerCase(Locale.ROOT).equals("scalar") || !modulePresent) {
            return false;
        }
        try {
            return VectorShapes.usable();
        } catch (LinkageError e) {
            return false;
        }
    }

    /** "vector (16 x float)" or "scalar", for logs and benchmarks. */
    static String describe() {
        return VECTOR ? "vector (" + VectorShapes.LANES + " x float)" : "scalar";
    }
}
