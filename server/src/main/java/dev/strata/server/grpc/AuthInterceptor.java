package dev.strata.server.grpc;

import dev.strata.server.audit.Auditor;
import dev.strata.server.auth.AuthResult;
import dev.strata.server.auth.Authenticator;
import dev.strata.server.auth.Caller;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;

/**
 * Authenticates gRPC calls by their {@code authorization} metadata, as {@code /v1} does by its
 * header: UNAUTHENTICATED when a key is required and missing or invalid; otherwise the caller
 * travels in the call's {@link Context} to the service, which admits the call as that tenant. A
 * refused call is audited here (status 401), as {@code /v1} audits its refusals.
 */
final class AuthInterceptor implements ServerInterceptor {
    /** The call's caller; a context key, not state: each call carries its own value. */
    private static final Context.Key<Caller> CALLER = Context.key("strata-caller");
    private static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    private final Authenticator authenticator;
    private final Auditor auditor;

    AuthInterceptor(Authenticator authenticator, Auditor auditor) {
        this.authenticator = authenticator;
        this.auditor = auditor;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
            ServerCallHandler<Q, R> next) {
        return switch (authenticator.authenticate(headers.get(AUTHORIZATION))) {
            case AuthResult.Authenticated a ->
                    Contexts.interceptCall(Context.current().withValue(CALLER, a.caller()), call, headers, next);
            case AuthResult.Denied d -> {
                auditor.close(auditor.open(StrataService.id(), Caller.ANONYMOUS),
                        StrataService.endpoint(call.getMethodDescriptor()), 401, d.message());
                call.close(Status.UNAUTHENTICATED.withDescription(d.message()), new Metadata());
                yield new ServerCall.Listener<>() {};
            }
        };
    }

    /** The current call's caller (anonymous outside an authenticated call). */
    static Caller caller() {
        Caller caller = CALLER.get();
        return caller == null ? Caller.ANONYMOUS : caller;
    }
}
