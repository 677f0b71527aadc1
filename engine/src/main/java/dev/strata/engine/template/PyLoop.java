package dev.strata.engine.template;

import com.hubspot.jinjava.util.ForLoop;
import java.util.List;

/**
 * jinja2's {@code loop} object over a list known in advance, so that {@code loop.previtem},
 * {@code loop.nextitem} and {@code loop.length} work as in Python (Jinjava's loop has no
 * previous/next item). Being a {@link ForLoop}, Jinjava's {@code break} and {@code continue} tags
 * act on it.
 */
final class PyLoop extends ForLoop {

    private final List<Object> items;
    private int position = -1;

    PyLoop(List<Object> items) {
        super(items.iterator(), items.size());
        this.items = items;
    }

    @Override
    public Object next() {
        position++;
        return super.next();
    }

    Object previtem() {
        return position > 0 ? items.get(position - 1) : new PyUndefined("there is no previous item");
    }

    Object nextitem() {
        return position + 1 < items.size() ? items.get(position + 1) : new PyUndefined("there is no next item");
    }
}
