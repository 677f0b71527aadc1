/**
 * The protocol-neutral core of a generation request: {@link dev.strata.server.inference.InferenceCall}
 * (what a client asked for, already validated by its protocol), and
 * {@link dev.strata.server.inference.InferenceService}, which resolves the model, renders and
 * tokenizes the prompt, checks it against the context, admits the call and submits one engine
 * request per choice. The HTTP, WebSocket and gRPC front ends all go through it and differ only in
 * how they format the resulting {@link dev.strata.server.inference.Generation}.
 */
package dev.strata.server.inference;
