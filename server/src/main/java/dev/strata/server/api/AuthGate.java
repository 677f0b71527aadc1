package dev.strata.server.api;

import dev.strata.server.GatewayException;
import dev.strata.server.auth.AuthResult;
import dev.strata.server.auth.Authenticator;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Refuses unauthenticated {@code /v1} requests (401, OpenAI's error object) before handlers that
 * do not pass through {@link ApiHandler} — the upstream routes — can serve them. Requests that
 * reach {@link ApiHandler} are authenticated there again (a cached lookup), which also opens their
 * audit record.
 */
public final class AuthGate extends Handler.Wrapper {
    private final Authenticator authenticator;
    private final ErrorMapper errors = new ErrorMapper();

    public AuthGate(Authenticator authenticator, Handler next) {
        super(next);
        this.authenticator = authenticator;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        if (authenticator.required() && request.getHttpURI().getDecodedPath().startsWith("/v1/")
                && authenticator.authenticate(request.getHeaders().get(HttpHeader.AUTHORIZATION))
                        instanceof AuthResult.Denied d) {
            ErrorMapper.ErrorReply reply = errors.map(new GatewayException.Unauthorized(d.message()));
            byte[] body = ApiJson.newMapper().writeValueAsBytes(reply.body());
            response.setStatus(reply.status());
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
            response.write(true, ByteBuffer.wrap(body), callback);
            return true;
        }
        return super.handle(request, response, callback);
    }
}
