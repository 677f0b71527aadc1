package dev.strata.server.backend;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Something that answers OpenAI chat-completion requests: an upstream engine or API, a pool of
 * replicas, or the local engine. Requests and answers are OpenAI's JSON
 * (https://platform.openai.com/docs/api-reference/chat/create) whatever the backend speaks on the
 * wire; translation is the backend's job. Implementations are thread-safe and never throw for an
 * upstream failure: they return {@link BackendResult.Failed}.
 */
public interface Backend {
    /** The configured name, used in {@code x-strata-route} and metrics. */
    String name();

    /**
     * Answers {@code request} whole. Called once per attempt by routing; the request is not mutated.
     *
     * @return the {@code chat.completion} object, or why there is none
     */
    BackendResult complete(ObjectNode request);

    /**
     * Streams the answer to {@code request} as {@code chat.completion.chunk} objects, in order, to
     * {@code sink}. A sink that returns {@code false} stops the stream (the upstream call is
     * cancelled and the result is {@link Failure#CANCELLED}).
     *
     * @return on success an {@link BackendResult.Answered} whose body is the whole answer assembled
     *     from the chunks; otherwise the failure, saying whether any chunk reached the sink
     */
    BackendResult stream(ObjectNode request, ChunkSink sink);

    /** Active health check: a cheap call that says whether the backend answers. Default: healthy. */
    default boolean probe() {
        return true;
    }
}
