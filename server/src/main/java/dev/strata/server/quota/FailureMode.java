package dev.strata.server.quota;

/** What the limiter does while Redis is unreachable ({@code quota.redis.on_failure}). */
public enum FailureMode {
    /** Enforce every limit per replica, in memory, until Redis is back (available, less exact). */
    LOCAL,
    /** Refuse every request that has a limit to check (exact, unavailable). */
    CLOSED
}
