package dev.strata.server.grpc;

import dev.strata.server.inference.InferenceService;
import dev.strata.server.inference.ObservedRequest;
import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;

/**
 * Makes each gRPC call one observed request ({@link InferenceService#observe}): a server span named
 * by the full method ({@code strata.v1.Strata/Generate}) that continues the {@code traceparent} of
 * the call's metadata, with the call's stages as children. The handler runs inside
 * {@link ServerCall.Listener#onHalfClose} (unary and server-streaming calls), so that is where the
 * request is made current; it ends when the call is closed or cancelled.
 */
final class ObservingInterceptor implements ServerInterceptor {
    private final InferenceService inference;

    ObservingInterceptor(InferenceService inference) {
        this.inference = inference;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
            ServerCallHandler<Q, R> next) {
        ObservedRequest observed = inference.observe(call.getMethodDescriptor().getFullMethodName(), "grpc",
                name -> headers.get(Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER)));
        ServerCall<Q, R> closing = new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
            @Override
            public void close(Status status, Metadata trailers) {
                observed.end(status.getCode().name(), !status.isOk() && status.getCode() != Status.Code.CANCELLED);
                super.close(status, trailers);
            }
        };
        ServerCall.Listener<Q> listener = observed.within(() -> next.startCall(closing, headers));
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(listener) {
            @Override
            public void onHalfClose() {
                observed.within(() -> {
                    super.onHalfClose();
                    return null;
                });
            }

            @Override
            public void onCancel() {
                observed.end(Status.Code.CANCELLED.name(), false);
                super.onCancel();
            }
        };
    }
}
