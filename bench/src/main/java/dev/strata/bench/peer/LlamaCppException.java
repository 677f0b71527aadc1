package dev.strata.bench.peer;

/** llama.cpp refused or failed (a model it cannot load, a decode error); the message says which. */
public final class LlamaCppException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public LlamaCppException(String message) {
        super(message);
    }

    public LlamaCppException(String message, Throwable cause) {
        super(message, cause);
    }

    /** Wraps a throwable from a downcall; errors and runtime exceptions pass through unchanged. */
    static RuntimeException wrap(String what, Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new LlamaCppException(what + " failed: " + t, t);
    }
}
