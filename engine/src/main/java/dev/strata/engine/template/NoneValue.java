package dev.strata.engine.template;

import com.hubspot.jinjava.el.ext.NamedParameter;
import java.util.Optional;

/**
 * Python's None as stored in a Jinjava scope. Jinjava treats a {@code null} entry as absent and
 * looks the name up in the enclosing scopes, so {@code {% set x = none %}} inside a loop, or a
 * macro parameter given None, would see an outer {@code x}. Stored as {@code Optional.empty()}
 * instead, which Jinjava's resolver unwraps back to {@code null} whenever the variable is read.
 */
final class NoneValue {

    private NoneValue() {}

    private static final Optional<Object> NONE = Optional.empty();

    /** The value to store for {@code value}: None becomes the marker, named arguments too. */
    static Object wrap(Object value) {
        if (value == null) {
            return NONE;
        }
        if (value instanceof NamedParameter p && p.getValue() == null) {
            return new NamedParameter(p.getName(), NONE);
        }
        return value;
    }

    /** The Python value of something that may be the marker (for callees that get raw arguments). */
    static Object unwrap(Object value) {
        if (value instanceof Optional<?> o) {
            return o.orElse(null);
        }
        if (value instanceof NamedParameter p && p.getValue() instanceof Optional<?> o) {
            return new NamedParameter(p.getName(), o.orElse(null));
        }
        return value;
    }
}
