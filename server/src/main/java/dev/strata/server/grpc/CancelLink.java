package dev.strata.server.grpc;

import dev.strata.server.inference.Generation;
import io.grpc.Context;

/**
 * Cancels a generation when its gRPC call is cancelled (client cancel, deadline, disconnect).
 * grpc-java runs a call's callbacks one at a time, so {@code setOnCancelHandler} would only fire
 * after the blocking handler returned; the call's {@link Context} is cancelled from the transport
 * thread at once, so its listener is what reaches the engine within a step.
 */
final class CancelLink implements AutoCloseable {
    private final Context context;
    private final Context.CancellationListener listener;

    private CancelLink(Context context, Context.CancellationListener listener) {
        this.context = context;
        this.listener = listener;
    }

    /** Links the current call's context to {@code generation}; close to unlink. */
    static CancelLink to(Generation generation) {
        Context context = Context.current();
        Context.CancellationListener listener = c -> generation.cancel();
        context.addListener(listener, Runnable::run);
        return new CancelLink(context, listener);
    }

    @Override
    public void close() {
        context.removeListener(listener);
    }
}
