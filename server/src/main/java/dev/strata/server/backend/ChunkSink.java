package dev.strata.server.backend;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** Receives the chunks of a streamed answer; {@code false} asks the backend to stop. */
@FunctionalInterface
public interface ChunkSink {
    boolean accept(ObjectNode chunk);
}
