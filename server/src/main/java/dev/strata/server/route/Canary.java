package dev.strata.server.route;

import java.nio.charset.StandardCharsets;

/**
 * A weighted split between a route's primary chain and a canary target, sticky per user or tenant:
 * the key is hashed into one of 10,000 buckets, and buckets below {@code weight·100} go to the
 * canary, so raising the weight only moves users from primary to canary, never back and forth.
 * Requests without a key are split by the per-request random draw.
 */
final class Canary {
    private Canary() {
    }

    /**
     * @param draw a uniform random number in [0, 1), used only when {@code key} is null
     */
    static boolean chosen(String route, String key, double weightPercent, double draw) {
        if (weightPercent <= 0) {
            return false;
        }
        if (weightPercent >= 100) {
            return true;
        }
        double bucket = key == null ? draw * 10_000 : bucket(route, key);
        return bucket < weightPercent * 100;
    }

    static int bucket(String route, String key) {
        long h = 0xcbf29ce484222325L;
        for (byte b : (route + "\u0000" + key).getBytes(StandardCharsets.UTF_8)) {
            h = (h ^ (b & 0xff)) * 0x100000001b3L;
        }
        h ^= h >>> 33;
        return (int) Math.floorMod(h, 10_000L);
    }
}
