package dev.strata.server.registry;

/** Where a configured model is in its life. Only {@link #READY} models serve requests. */
public enum ModelState {
    LOADING, WARMING_UP, READY, FAILED, CLOSED;

    /** The lower-case name used in API responses ({@code "warming_up"}). */
    public String apiName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
