package dev.strata.server.backend;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The routed request's body as the client sent it, bound for the duration of its routing, so an
 * upstream that would send exactly that JSON sends the client's bytes instead of serialising the
 * parsed tree again. The bytes belong to one tree instance: routing stages that change the request
 * work on a copy (priority capping, cascades, shadows), and a copy is never matched, so it is
 * serialised as before. Not bound on other threads (hedged attempts, shadows): those serialise too.
 */
public final class ClientBody {
    private record Bound(ObjectNode node, byte[] bytes) {}

    private final ScopedValue<Bound> current = ScopedValue.newInstance();

    /** Runs {@code op} with {@code bytes} as the serialised form of {@code node}. */
    public <T, X extends Throwable> T bind(ObjectNode node, byte[] bytes, ScopedValue.CallableOp<T, X> op) throws X {
        return ScopedValue.where(current, new Bound(node, bytes)).call(op);
    }

    /** The client's bytes when {@code node} is the very tree they were parsed into, else null. */
    byte[] bytesOf(ObjectNode node) {
        if (!current.isBound()) {
            return null;
        }
        Bound b = current.get();
        return b.node() == node ? b.bytes() : null;
    }
}
