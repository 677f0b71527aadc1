package dev.strata.server.backend;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Resolves an upstream's API key: from a secret file (Kubernetes/Docker secrets, first line, trimmed)
 * or an environment variable. Keys are never read from the config file itself, so configs can be
 * committed.
 */
public final class ApiKeys {
    private final Map<String, String> environment;

    /** @param environment usually {@link System#getenv()}; a map in tests */
    public ApiKeys(Map<String, String> environment) {
        this.environment = Map.copyOf(environment);
    }

    /**
     * @param envVar     variable name, or {@code null}
     * @param secretFile path, or {@code null}; wins over the variable when both are given
     * @return the key, or {@code null} when neither is given
     * @throws IllegalArgumentException naming what is missing when one is given but empty or absent
     */
    public String resolve(String envVar, Path secretFile) {
        if (secretFile != null) {
            try {
                String key = Files.readString(secretFile).strip();
                if (key.isEmpty()) {
                    throw new IllegalArgumentException("api_key_file " + secretFile + " is empty");
                }
                return key.lines().findFirst().orElseThrow().strip();
            } catch (IOException e) {
                throw new UncheckedIOException("api_key_file " + secretFile + " cannot be read", e);
            }
        }
        if (envVar != null) {
            String key = environment.get(envVar);
            if (key == null || key.isBlank()) {
                throw new IllegalArgumentException("api_key_env " + envVar + " is not set");
            }
            return key.strip();
        }
        return null;
    }
}
