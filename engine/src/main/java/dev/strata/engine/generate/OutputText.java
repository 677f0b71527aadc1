package dev.strata.engine.generate;

import java.util.List;

/**
 * The text side of one generation: turns each generated token's decoded text into the text that may
 * be sent to the client now. Stop strings are matched across token boundaries and never emitted:
 * any tail of the text that could still grow into a stop string is held back until the next token
 * settles it (or the generation ends and {@link #flush} releases it). Not thread-safe.
 */
final class OutputText {
    private final List<String> stops;
    private final StringBuilder held = new StringBuilder();
    private boolean stopped;

    OutputText(List<String> stops) {
        this.stops = List.copyOf(stops);
    }

    /** Adds {@code text}; returns what can be emitted now (empty once a stop string matched). */
    String append(String text) {
        if (stopped) {
            return "";
        }
        held.append(text);
        if (stops.isEmpty()) {
            return take(held.length());
        }
        int match = earliestStop();
        if (match >= 0) {
            stopped = true;
            String out = held.substring(0, match);
            held.setLength(0);
            return out;
        }
        return take(held.length() - longestStopPrefixSuffix());
    }

    /** True once a stop string has appeared; the generation should end. */
    boolean stopped() {
        return stopped;
    }

    /** The held-back text, at the end of a generation that did not stop on a stop string. */
    String flush() {
        return take(held.length());
    }

    private String take(int length) {
        String out = held.substring(0, length);
        held.delete(0, length);
        return out;
    }

    private int earliestStop() {
        int best = -1;
        for (String stop : stops) {
            int at = held.indexOf(stop);
            if (at >= 0 && (best < 0 || at < best)) {
                best = at;
            }
        }
        return best;
    }

    /** True when {@code text} ends with the first {@code k} chars of {@code stop}. */
    private static boolean endsWith(StringBuilder text, String stop, int k) {
        int from = text.length() - k;
        for (int i = 0; i < k; i++) {
            if (text.charAt(from + i) != stop.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** Length of the longest suffix of the held text that is a proper prefix of some stop string. */
    private int longestStopPrefixSuffix() {
        int longest = 0;
        for (String stop : stops) {
            for (int k = Math.min(stop.length() - 1, held.length()); k > longest; k--) {
                if (endsWith(held, stop, k)) {
                    longest = k;
                    break;
                }
            }
        }
        return longest;
    }
}
