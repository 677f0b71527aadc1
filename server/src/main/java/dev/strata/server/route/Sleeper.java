package dev.strata.server.route;

/** Waits between retries; {@code Thread::sleep} in production, a recorder in tests. */
@FunctionalInterface
public interface Sleeper {
    void sleep(long millis) throws InterruptedException;
}
