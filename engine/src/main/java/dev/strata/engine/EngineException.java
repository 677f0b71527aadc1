package dev.strata.engine;

/**
 * The one exception type of the engine module. Each subtype names a class of problem so the
 * API edge can map it once (a bad model file is not the caller's fault; a prompt longer than
 * the context is). Messages are single lines meant for a user, never a stack trace.
 */
public sealed abstract class EngineException extends RuntimeException
        permits EngineException.InvalidModelFile, EngineException.Unsupported, EngineException.InvalidRequest,
        EngineException.Overloaded, EngineException.Internal {

    /** Longest message kept; longer ones (a hostile file's 1 MB "name") are cut. */
    private static final int MAX_MESSAGE_CHARS = 400;

    private EngineException(String message, Throwable cause) {
        super(oneLine(message), cause);
    }

    /** Escapes control characters and cuts the message so it always prints as one readable line. */
    static String oneLine(String message) {
        if (message == null) {
            return "unknown engine error";
        }
        StringBuilder sb = new StringBuilder(Math.min(message.length(), MAX_MESSAGE_CHARS + 8));
        for (int i = 0; i < message.length() && sb.length() < MAX_MESSAGE_CHARS; i++) {
            char c = message.charAt(i);
            if (c < 0x20 || c == 0x7F) {
                sb.append(c == '\n' ? "\\n" : String.format("\\x%02x", (int) c & 0xFF));
            } else {
                sb.append(c);
            }
        }
        if (sb.length() >= MAX_MESSAGE_CHARS) {
            sb.setLength(MAX_MESSAGE_CHARS);
            sb.append("...");
        }
        return sb.toString();
    }

    /** A file that is not a well-formed GGUF model: truncated, corrupt, or inconsistent. */
    public static final class InvalidModelFile extends EngineException {
        public InvalidModelFile(String message) {
            super(message, null);
        }

        public InvalidModelFile(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** A well-formed file or request that asks for something the engine does not implement. */
    public static final class Unsupported extends EngineException {
        public Unsupported(String message) {
            super(message, null);
        }
    }

    /** A request the engine cannot serve as given (e.g. a prompt longer than the context). */
    public static final class InvalidRequest extends EngineException {
        public InvalidRequest(String message) {
            super(message, null);
        }
    }

    /**
     * The engine cannot take more work now (its bounded waiting queue is full); the same request
     * may succeed later. Maps to 503 with a retry hint.
     */
    public static final class Overloaded extends EngineException {
        public Overloaded(String message) {
            super(message, null);
        }
    }

    /**
     * The engine failed while serving a well-formed request (a bug, or the JVM out of memory); the
     * request may succeed when retried. Maps to a server error.
     */
    public static final class Internal extends EngineException {
        public Internal(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
