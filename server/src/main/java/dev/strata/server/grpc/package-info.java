/**
 * The gRPC API ({@code server/src/main/proto/strata/v1/strata.proto}): {@code Generate}
 * (server-streaming), {@code Chat} and {@code Models} on a second port, over the same
 * {@link dev.strata.server.inference.InferenceService} as HTTP. {@link dev.strata.server.grpc.GrpcStatuses}
 * is this protocol's one mapping from failures to gRPC status codes; a cancelled call cancels its
 * generation in the engine. Every call is authenticated ({@code AuthInterceptor}) and traced
 * ({@code ObservingInterceptor}) as an HTTP request is.
 */
package dev.strata.server.grpc;
