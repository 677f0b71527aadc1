package dev.strata.engine.template;

import java.util.AbstractList;
import java.util.List;

/**
 * A Python tuple, e.g. the {@code (key, value)} pairs of {@code dict.items()} and
 * {@code dictsort}: an immutable list that prints as {@code ('a', 1)} rather than {@code ['a', 1]}.
 */
final class PyTuple extends AbstractList<Object> {

    private final Object[] items;

    PyTuple(Object... items) {
        this.items = items.clone();
    }

    @Override
    public Object get(int index) {
        return items[index];
    }

    @Override
    public int size() {
        return items.length;
    }

    static PyTuple pair(Object a, Object b) {
        return new PyTuple(a, b);
    }

    static PyTuple of(List<?> items) {
        return new PyTuple(items.toArray());
    }
}
