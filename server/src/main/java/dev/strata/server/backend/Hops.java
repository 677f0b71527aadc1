package dev.strata.server.backend;

/**
 * The loop guard's hop count. Every upstream call Strata makes carries {@value #HEADER}: the count
 * the request being served arrived with, plus one. A request that arrives having already passed
 * {@link #MAX} Strata gateways is refused (508 Loop Detected), so an upstream that points back at
 * a Strata which routes the same model to it again ends after a few hops instead of recursing until
 * a breaker opens. The count of the request being served is bound for the duration of its routing
 * ({@link #bind}) and read where the upstream request is built.
 */
public final class Hops {
    public static final String HEADER = "x-strata-hops";
    /** Most hops a request may have taken before reaching this server. */
    public static final int MAX = 8;

    private final ScopedValue<Integer> current = ScopedValue.newInstance();

    /** Runs {@code op} with {@code hops} as the count of the request being served. */
    public <T, X extends Throwable> T bind(int hops, ScopedValue.CallableOp<T, X> op) throws X {
        return ScopedValue.where(current, hops).call(op);
    }

    /** The count the request being served arrived with (0 when none is bound). */
    public int current() {
        return current.orElse(0);
    }

    /** The value for {@link #HEADER} on a call made now. */
    String outgoing() {
        return Integer.toString(current() + 1);
    }

    /**
     * The hop count in an incoming header value: absent → 0.
     *
     * @return the count, or -1 when the value is not a non-negative integer
     */
    public static int parse(String header) {
        if (header == null || header.isBlank()) {
            return 0;
        }
        try {
            int n = Integer.parseInt(header.strip());
            return n < 0 ? -1 : n;
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
