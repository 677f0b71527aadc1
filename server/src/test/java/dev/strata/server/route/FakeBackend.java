package dev.strata.server.route;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.server.backend.Backend;
import dev.strata.server.backend.BackendResult;
import dev.strata.server.backend.ChunkSink;
import java.util.ArrayDeque;
import java.util.Deque;

/** An in-memory backend answering from a script of results; for unit tests of routing. */
final class FakeBackend implements Backend {
    private final String name;
    private final Deque<BackendResult> script = new ArrayDeque<>();
    private BackendResult fallback;
    int calls;

    FakeBackend(String name) {
        this.name = name;
        this.fallback = ok(name);
    }

    static BackendResult ok(String text) {
        ObjectNode body = new ObjectMapper().createObjectNode();
        body.putArray("choices").addObject().put("index", 0).put("finish_reason", "stop").putObject("message")
                .put("role", "assistant").put("content", text);
        return new BackendResult.Answered(body, text);
    }

    FakeBackend then(BackendResult... results) {
        script.addAll(java.util.List.of(results));
        return this;
    }

    FakeBackend always(BackendResult result) {
        this.fallback = result;
        return this;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public synchronized BackendResult complete(ObjectNode request) {
        calls++;
        BackendResult r = script.isEmpty() ? fallback : script.poll();
        return switch (r) {
            case BackendResult.Answered a -> new BackendResult.Answered(a.body(), name);
            case BackendResult.Failed f -> new BackendResult.Failed(f.failure(), f.status(), f.message(),
                    f.retryAfterMillis(), f.streamStarted(), name);
        };
    }

    @Override
    public BackendResult stream(ObjectNode request, ChunkSink sink) {
        return complete(request);
    }
}
