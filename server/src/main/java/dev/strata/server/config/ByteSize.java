package dev.strata.server.config;

import java.math.BigDecimal;
import java.util.Locale;

/**
 * Parses a memory size written for people: a plain byte count, or a number with a unit, decimal
 * ({@code KB}, {@code MB}, {@code GB}, {@code TB}: powers of 1000) or binary ({@code KiB}, {@code MiB},
 * {@code GiB}, {@code TiB}: powers of 1024), e.g. {@code "512MiB"}, {@code "2GB"}, {@code "1.5 GiB"}.
 */
public final class ByteSize {
    private ByteSize() {}

    /** The size in bytes (fractions rounded down), or an {@link IllegalArgumentException} saying why not. */
    public static long parse(String text) {
        String s = text.strip();
        int unitStart = s.length();
        while (unitStart > 0 && Character.isLetter(s.charAt(unitStart - 1))) {
            unitStart--;
        }
        String number = s.substring(0, unitStart).strip();
        long multiplier = switch (s.substring(unitStart).toLowerCase(Locale.ROOT)) {
            case "", "b" -> 1L;
            case "kb" -> 1_000L;
            case "mb" -> 1_000_000L;
            case "gb" -> 1_000_000_000L;
            case "tb" -> 1_000_000_000_000L;
            case "kib" -> 1L << 10;
            case "mib" -> 1L << 20;
            case "gib" -> 1L << 30;
            case "tib" -> 1L << 40;
            default -> throw new IllegalArgumentException("unknown unit \"" + s.substring(unitStart)
                    + "\" (use B, KB, MB, GB, TB, KiB, MiB, GiB or TiB)");
        };
        BigDecimal value;
        try {
            value = new BigDecimal(number);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a size: \"" + text + "\"");
        }
        if (value.signum() < 0) {
            throw new IllegalArgumentException("must not be negative: \"" + text + "\"");
        }
        try {
            return value.multiply(BigDecimal.valueOf(multiplier)).toBigInteger().longValueExact();
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("too large: \"" + text + "\"");
        }
    }
}
