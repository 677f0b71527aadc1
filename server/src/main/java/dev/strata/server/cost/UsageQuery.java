package dev.strata.server.cost;

import java.time.LocalDate;
import java.util.Objects;
import java.util.Optional;

/**
 * Which usage to add up: one tenant or all, over the UTC days {@code from} to {@code to}, both
 * included.
 */
public record UsageQuery(Optional<String> tenant, LocalDate from, LocalDate to) {
    /** Longest range one query may span, so a query cannot walk years of days. */
    public static final int MAX_DAYS = 366;

    public UsageQuery {
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        if (to.isBefore(from)) {
            throw new IllegalArgumentException("to (" + to + ") is before from (" + from + ")");
        }
        if (from.plusDays(MAX_DAYS).isBefore(to)) {
            throw new IllegalArgumentException("the range spans more than " + MAX_DAYS + " days");
        }
    }
}
