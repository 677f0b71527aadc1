package dev.strata.engine.gguf;

import java.util.Arrays;
import java.util.Objects;

/**
 * One metadata value. Scalars hold their Java boxed value (unsigned types widened so they read
 * as non-negative: UINT8/UINT16 as Integer, UINT32 as Long, UINT64 as Long's unsigned bits);
 * arrays hold a primitive or String array in {@link Array}.
 */
public sealed interface GgufValue {

    GgufValueType type();

    /** A scalar or string value. */
    record Scalar(GgufValueType type, Object value) implements GgufValue {
        public Scalar {
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(value, "value");
            if (type == GgufValueType.ARRAY) {
                throw new IllegalArgumentException("an array is not a scalar");
            }
        }

        @Override
        public String toString() {
            return value instanceof String s ? '"' + s + '"' : String.valueOf(value);
        }
    }

    /**
     * An array of one element type. {@code values} is a {@code byte[]}, {@code short[]},
     * {@code int[]}, {@code long[]}, {@code float[]}, {@code double[]}, {@code boolean[]},
     * {@code String[]} or, for nested arrays, {@code GgufValue.Array[]}.
     */
    record Array(GgufValueType elementType, Object values) implements GgufValue {
        public Array {
            Objects.requireNonNull(elementType, "elementType");
            Objects.requireNonNull(values, "values");
            if (!values.getClass().isArray()) {
                throw new IllegalArgumentException("values must be a Java array");
            }
        }

        @Override
        public GgufValueType type() {
            return GgufValueType.ARRAY;
        }

        public int length() {
            return java.lang.reflect.Array.getLength(values);
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Array a && a.elementType == elementType
                    && Arrays.deepEquals(new Object[] {values}, new Object[] {a.values});
        }

        @Override
        public int hashCode() {
            return Arrays.deepHashCode(new Object[] {elementType, values});
        }

        @Override
        public String toString() {
            return "[" + elementType + " x " + length() + "]";
        }
    }

    static GgufValue of(String value) {
        return new Scalar(GgufValueType.STRING, value);
    }
}
