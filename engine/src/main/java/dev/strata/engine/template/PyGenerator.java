package dev.strata.engine.template;

import com.hubspot.jinjava.util.HasObjectTruthValue;
import java.util.Iterator;
import java.util.List;

/**
 * What jinja2's {@code map}, {@code select}, {@code reject}, {@code selectattr} and
 * {@code rejectattr} return: a generator, not a list. It can be looped over, joined or turned into
 * a {@code list}, but it is always truthy (even when empty), has no length and is not JSON, as in
 * Python; templates that forget {@code |list} behave here as they do there.
 */
record PyGenerator(List<Object> items) implements Iterable<Object>, HasObjectTruthValue {

    PyGenerator {
        items = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(items));
    }

    @Override
    public Iterator<Object> iterator() {
        return items.iterator();
    }

    @Override
    public boolean getObjectTruthValue() {
        return true;
    }

    @Override
    public String toString() {
        return "<generator object>";
    }
}
