package dev.strata.bench.peer;

/**
 * The JUnit resource that test classes calling into llama.cpp or ggml lock, so that two of them never
 * compute at once: test classes run in parallel, and under that load the bundled llama.cpp once
 * gave different distributions for the same sequence in the same context. Parity figures must not
 * depend on what else the test run is doing.
 */
public final class PeerLock {
    /** Resource name for {@code @ResourceLock}. */
    public static final String LLAMA_CPP = "llama.cpp";

    private PeerLock() {}
}
