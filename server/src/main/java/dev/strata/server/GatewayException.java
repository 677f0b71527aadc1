package dev.strata.server;

/**
 * The one exception type of the server module. Each subtype is a class of failure that the API edge
 * maps, in one place, to an HTTP status and OpenAI's error object ({@code dev.strata.server.api.ErrorMapper});
 * gRPC and WebSocket map the same subtypes to their own status codes. Messages are one line, meant
 * for the client.
 */
public sealed abstract class GatewayException extends RuntimeException
        permits GatewayException.InvalidRequest, GatewayException.NotFound, GatewayException.MethodNotAllowed,
                GatewayException.PayloadTooLarge, GatewayException.Overloaded, GatewayException.Unavailable,
                GatewayException.InvalidConfig, GatewayException.GenerationFailed, GatewayException.UpstreamFailed,
                GatewayException.Unauthorized, GatewayException.Forbidden {

    private GatewayException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * The request is malformed or out of range.
     *
     * @param param the offending request field ({@code null} when not one field, e.g. invalid JSON)
     * @param code  a machine-readable code such as {@code "invalid_value"}, or {@code null}
     */
    public static final class InvalidRequest extends GatewayException {
        private final String param;
        private final String code;

        public InvalidRequest(String message, String param, String code) {
            super(message, null);
            this.param = param;
            this.code = code;
        }

        public String param() {
            return param;
        }

        public String code() {
            return code;
        }
    }

    /** An unknown model or route. {@code code} is {@code "model_not_found"} or {@code "not_found"}. */
    public static final class NotFound extends GatewayException {
        private final String param;
        private final String code;

        public NotFound(String message, String param, String code) {
            super(message, null);
            this.param = param;
            this.code = code;
        }

        public String param() {
            return param;
        }

        public String code() {
            return code;
        }
    }

    /** A known route asked with the wrong HTTP method. */
    public static final class MethodNotAllowed extends GatewayException {
        private final String allowed;

        public MethodNotAllowed(String method, String path, String allowed) {
            super("method " + method + " is not allowed on " + path + " (allowed: " + allowed + ")", null);
            this.allowed = allowed;
        }

        public String allowed() {
            return allowed;
        }
    }

    /** A request body larger than {@code server.limits.max_body_bytes}. */
    public static final class PayloadTooLarge extends GatewayException {
        public PayloadTooLarge(long limitBytes) {
            super("request body is larger than the limit of " + limitBytes + " bytes", null);
        }
    }

    /** Too many requests in flight; the client should retry after {@code retryAfterSeconds}. */
    public static final class Overloaded extends GatewayException {
        private final int retryAfterSeconds;

        public Overloaded(String message, int retryAfterSeconds) {
            super(message, null);
            this.retryAfterSeconds = retryAfterSeconds;
        }

        public int retryAfterSeconds() {
            return retryAfterSeconds;
        }
    }

    /** The server cannot serve now (model still loading, shutting down). */
    public static final class Unavailable extends GatewayException {
        private final int retryAfterSeconds;

        public Unavailable(String message, int retryAfterSeconds) {
            super(message, null);
            this.retryAfterSeconds = retryAfterSeconds;
        }

        public int retryAfterSeconds() {
            return retryAfterSeconds;
        }
    }

    /** A configuration that cannot be served; the message names the key and the problem. */
    public static final class InvalidConfig extends GatewayException {
        private final String key;

        public InvalidConfig(String key, String problem) {
            super(key + ": " + problem.replaceAll("\\s*\\R\\s*", " ").strip(), null);
            this.key = key;
        }

        public String key() {
            return key;
        }
    }

    /** The backend failed while generating, through no fault of the request. */
    public static final class GenerationFailed extends GatewayException {
        public GenerationFailed(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** No valid API key (401): missing, unknown or revoked. */
    public static final class Unauthorized extends GatewayException {
        public Unauthorized(String message) {
            super(message, null);
        }
    }

    /** A valid caller that may not do this (403), e.g. a model its tenant may not use. */
    public static final class Forbidden extends GatewayException {
        private final String code;

        public Forbidden(String message, String code) {
            super(message, null);
            this.code = code;
        }

        public String code() {
            return code;
        }
    }

    /** A service Strata calls (the model hub, an upstream backend) failed or sent something wrong. */
    public static final class UpstreamFailed extends GatewayException {
        public UpstreamFailed(String message) {
            super(message, null);
        }

        public UpstreamFailed(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
