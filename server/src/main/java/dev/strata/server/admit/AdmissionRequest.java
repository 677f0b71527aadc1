package dev.strata.server.admit;

import dev.strata.server.auth.Caller;
import java.util.Objects;

/**
 * What admission needs to know about a request.
 *
 * @param caller       who asks ({@link Caller#ANONYMOUS} when authentication is off)
 * @param model        the model asked for
 * @param promptTokens prompt tokens of the whole call (each prompt once)
 * @param maxTokens    the most tokens the call may generate, over all its choices
 * @param priority     the request's {@code priority} (higher first), before the tenant's cap
 */
public record AdmissionRequest(Caller caller, String model, int promptTokens, long maxTokens, int priority) {
    public AdmissionRequest {
        Objects.requireNonNull(caller, "caller");
        Objects.requireNonNull(model, "model");
        if (promptTokens < 0 || maxTokens < 0) {
            throw new IllegalArgumentException("token counts must be >= 0, got " + promptTokens + ", " + maxTokens);
        }
    }
}
