package dev.strata.server.api;

import dev.strata.engine.EngineException;
import dev.strata.server.GatewayException;

/**
 * The one mapping from failures to HTTP statuses and OpenAI's error object
 * ({@code {"error":{"message","type","param","code"}}}, see
 * https://platform.openai.com/docs/guides/error-codes). Bad input is always 4xx; only failures of the
 * server itself are 500.
 */
public final class ErrorMapper {

    /**
     * Retry-After for a full engine queue: a queue slot frees when a running sequence finishes, which
     * takes about a second of decoding, so clients should come back soon rather than back off long.
     */
    static final int ENGINE_OVERLOADED_RETRY_AFTER_SECONDS = 1;

    /** An error ready to send: status, body, and the optional Retry-After / Allow headers. */
    public record ErrorReply(int status, ResponseShapes.ErrorBody body, Integer retryAfterSeconds, String allow) {}

    public ErrorReply map(Throwable failure) {
        return switch (failure) {
            case GatewayException g -> gateway(g);
            case EngineException e -> engine(e);
            default -> reply(500, "internal server error", "server_error", null, null);
        };
    }

    private static ErrorReply gateway(GatewayException failure) {
        return switch (failure) {
            case GatewayException.InvalidRequest e -> reply(400, e.getMessage(), "invalid_request_error", e.param(), e.code());
            case GatewayException.NotFound e -> reply(404, e.getMessage(), "invalid_request_error", e.param(), e.code());
            case GatewayException.MethodNotAllowed e -> new ErrorReply(405, body(e.getMessage(),
                    "invalid_request_error", null, "method_not_allowed"), null, e.allowed());
            case GatewayException.PayloadTooLarge e -> reply(413, e.getMessage(), "invalid_request_error", null,
                    "request_too_large");
            case GatewayException.Overloaded e -> new ErrorReply(429, body(e.getMessage(), "rate_limit_error", null,
                    "rate_limit_exceeded"), e.retryAfterSeconds(), null);
            case GatewayException.Unavailable e -> new ErrorReply(503, body(e.getMessage(), "server_error", null,
                    "service_unavailable"), e.retryAfterSeconds(), null);
            case GatewayException.InvalidConfig e -> reply(500, e.getMessage(), "server_error", null, null);
            case GatewayException.GenerationFailed e -> reply(500, e.getMessage(), "server_error", null, null);
            case GatewayException.UpstreamFailed e -> reply(502, e.getMessage(), "server_error", null, "upstream_failed");
            case GatewayException.Unauthorized e -> reply(401, e.getMessage(), "invalid_request_error", null,
                    "invalid_api_key");
            case GatewayException.Forbidden e -> reply(403, e.getMessage(), "permission_error", null, e.code());
        };
    }

    private static ErrorReply engine(EngineException failure) {
        return switch (failure) {
            case EngineException.InvalidRequest e -> reply(400, e.getMessage(), "invalid_request_error", null, "invalid_value");
            case EngineException.Unsupported e -> reply(400, e.getMessage(), "invalid_request_error", null, "unsupported");
            case EngineException.InvalidModelFile e -> reply(500, e.getMessage(), "server_error", null, null);
            case EngineException.Overloaded e -> new ErrorReply(503, body(e.getMessage(), "server_error", null,
                    "engine_overloaded"), ENGINE_OVERLOADED_RETRY_AFTER_SECONDS, null);
            case EngineException.Internal e -> reply(500, e.getMessage(), "server_error", null, null);
        };
    }

    private static ErrorReply reply(int status, String message, String type, String param, String code) {
        return new ErrorReply(status, body(message, type, param, code), null, null);
    }

    private static ResponseShapes.ErrorBody body(String message, String type, String param, String code) {
        return new ResponseShapes.ErrorBody(new ResponseShapes.ErrorDetail(message, type, param, code));
    }
}
