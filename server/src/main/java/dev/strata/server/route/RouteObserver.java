package dev.strata.server.route;

/** Told which route, tier and target answered each routed request (metrics). */
@FunctionalInterface
public interface RouteObserver {
    RouteObserver NONE = (route, tier, target, outcome) -> { };

    /**
     * @param tier    {@code primary}, {@code canary} or a cascade tier {@code i/n}
     * @param target  the backend that answered or failed last, or {@code none}
     * @param outcome {@code ok} or the failure in lower case
     */
    void served(String route, String tier, String target, String outcome);
}
