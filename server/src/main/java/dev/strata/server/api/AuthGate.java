package dev.strata.server.api;

import dev.strata.server.GatewayException;
import dev.strata.server.audit.Auditor;
import dev.strata.server.auth.Caller;
import dev.strata.server.auth.AdminAuth;
import dev.strata.server.auth.AuthResult;
import dev.strata.server.auth.Authenticator;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Refuses unauthenticated {@code /v1} requests, and {@code /admin/*} requests without the admin key
 * once one is configured (401 without an {@code Authorization} header, 403 with another key; OpenAI's
 * error object), before handlers that do not pass through
 * {@link ApiHandler} — the upstream routes and their {@code /admin/reload}, {@code /admin/routes} —
 * can serve them. A refused {@code /v1} request is audited here (status 401), since nothing behind
 * sees it. Requests that reach {@link ApiHandler} (or a routed chat's guard) are authenticated there
 * again (a cached lookup), which also opens their audit record.
 */
public final class AuthGate extends Handler.Wrapper {
    private final Authenticator authenticator;
    private final AdminAuth adminAuth;
    private final Auditor auditor;
    private final ErrorMapper errors = new ErrorMapper();

    public AuthGate(Authenticator authenticator, AdminAuth adminAuth, Auditor auditor, Handler next) {
        super(next);
        this.authenticator = authenticator;
        this.adminAuth = adminAuth;
        this.auditor = auditor;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String path = request.getHttpURI().getDecodedPath();
        String authorization = request.getHeaders().get(HttpHeader.AUTHORIZATION);
        GatewayException denied = null;
        if (authenticator.required() && path.startsWith("/v1/")
                && authenticator.authenticate(authorization) instanceof AuthResult.Denied d) {
            String endpoint = path.equals("/v1/stream") ? StreamSocket.ENDPOINT : request.getMethod() + " " + path;
            auditor.close(auditor.open("req-" + java.util.UUID.randomUUID(), Caller.ANONYMOUS,
                    request.getHeadersNanoTime()), endpoint, 401, d.message());
            denied = new GatewayException.Unauthorized(d.message());
        } else if (adminAuth.enabled() && path.startsWith("/admin/") && !adminAuth.allows(authorization)) {
            denied = authorization == null || authorization.isBlank()
                    ? new GatewayException.Unauthorized("The admin API needs the admin key (Authorization: Bearer …).")
                    : new GatewayException.Forbidden("This key is not the admin key; the admin API needs it.",
                            "not_admin_key");
        }
        if (denied != null) {
            ErrorMapper.ErrorReply reply = errors.map(denied);
            byte[] body = ApiJson.newMapper().writeValueAsBytes(reply.body());
            response.setStatus(reply.status());
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
            response.write(true, ByteBuffer.wrap(body), callback);
            return true;
        }
        return super.handle(request, response, callback);
    }
}
