package dev.strata.server.backend;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;

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

    /**
     * {@code body} with its top-level {@code model} string replaced by {@code model}, every other
     * byte as it was (an upstream's {@code model} override without serialising the request again),
     * found with a streaming scan. Null when there is no single top-level string {@code model} to
     * replace or the bytes are not one JSON object: the caller serialises the tree instead.
     */
    static byte[] withModel(JsonFactory factory, byte[] body, String model) {
        long start = -1;
        long end = -1;
        try (JsonParser p = factory.createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if (name.equals("model")) {
                    if (value != JsonToken.VALUE_STRING || start >= 0) {
                        return null; // not a string, or a second model field: let the tree decide
                    }
                    start = p.currentTokenLocation().getByteOffset();
                    p.getText(); // finishes the token, so the current location is just past it
                    end = p.currentLocation().getByteOffset();
                } else {
                    p.skipChildren();
                }
            }
            if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null || start < 0) {
                return null;
            }
        } catch (IOException e) {
            return null;
        }
        byte[] quoted = quoted(model);
        byte[] out = new byte[(int) (body.length - (end - start) + quoted.length)];
        System.arraycopy(body, 0, out, 0, (int) start);
        System.arraycopy(quoted, 0, out, (int) start, quoted.length);
        System.arraycopy(body, (int) end, out, (int) start + quoted.length, (int) (body.length - end));
        return out;
    }

    private static byte[] quoted(String text) {
        byte[] escaped = JsonStringEncoder.getInstance().quoteAsUTF8(text);
        byte[] out = new byte[escaped.length + 2];
        out[0] = '"';
        System.arraycopy(escaped, 0, out, 1, escaped.length);
        out[out.length - 1] = '"';
        return out;
    }
}
