package dev.strata.server.cli;

import java.nio.file.Path;
import java.util.Map;

/**
 * Where {@code strata serve} and {@code strata keys} keep their SQLite file when not told:
 * {@code $STRATA_DATA_DIR}, else {@code ~/.strata}. Both commands resolve it the same way, so a key
 * created with {@code strata keys create} is known to a server started with the same settings.
 */
final class DataDir {
    private DataDir() {}

    static Path resolve(Path flag, Map<String, String> env) {
        if (flag != null) {
            return flag;
        }
        String fromEnv = env.get("STRATA_DATA_DIR");
        if (fromEnv != null && !fromEnv.isBlank()) {
            return Path.of(fromEnv.strip());
        }
        return Path.of(System.getProperty("user.home"), ".strata");
    }
}
