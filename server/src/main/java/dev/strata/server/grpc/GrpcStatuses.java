package dev.strata.server.grpc;

import dev.strata.engine.EngineException;
import dev.strata.server.GatewayException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/** Failures as gRPC statuses (https://grpc.github.io/grpc/core/md_doc_statuscodes.html). */
final class GrpcStatuses {
    private GrpcStatuses() {}

    static StatusRuntimeException of(Throwable failure) {
        Status status = switch (failure) {
            case GatewayException.InvalidRequest e -> Status.INVALID_ARGUMENT;
            case GatewayException.NotFound e -> Status.NOT_FOUND;
            case GatewayException.MethodNotAllowed e -> Status.UNIMPLEMENTED;
            case GatewayException.PayloadTooLarge e -> Status.RESOURCE_EXHAUSTED;
            case GatewayException.Overloaded e -> Status.RESOURCE_EXHAUSTED;
            case GatewayException.Unavailable e -> Status.UNAVAILABLE;
            case GatewayException.InvalidConfig e -> Status.INTERNAL;
            case GatewayException.GenerationFailed e -> Status.INTERNAL;
            case GatewayException.UpstreamFailed e -> Status.UNAVAILABLE;
            case GatewayException.Unauthorized e -> Status.UNAUTHENTICATED;
            case GatewayException.Forbidden e -> Status.PERMISSION_DENIED;
            case EngineException.InvalidRequest e -> Status.INVALID_ARGUMENT;
            case EngineException.Unsupported e -> Status.INVALID_ARGUMENT;
            case EngineException.Overloaded e -> Status.RESOURCE_EXHAUSTED;
            case EngineException e -> Status.INTERNAL;
            default -> Status.INTERNAL.withDescription("internal server error");
        };
        return (status.getDescription() == null ? status.withDescription(failure.getMessage()) : status)
                .asRuntimeException();
    }
}
