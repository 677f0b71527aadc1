package dev.strata.server.log;

import java.util.Locale;

/** Severity of a log line; a log writes the lines at or above its threshold. {@link #OFF} writes none. */
public enum LogLevel {
    DEBUG, INFO, WARN, ERROR, OFF;

    /** The level named {@code name} ({@code "info"}, case-insensitive). */
    public static LogLevel parse(String name) {
        return valueOf(name.strip().toUpperCase(Locale.ROOT));
    }

    /** The name written in log lines ({@code "info"}). */
    public String jsonName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
