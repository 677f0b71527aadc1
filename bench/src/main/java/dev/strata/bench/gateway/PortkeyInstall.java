package dev.strata.bench.gateway;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Portkey's open-source gateway ({@code @portkey-ai/gateway} on npm) as a peer: installed once with
 * npm under a cache directory, started with node in headless mode.
 */
public final class PortkeyInstall {
    /** The version measured; pinned so runs stay comparable. */
    public static final String VERSION = "1.15.2";
    private static final long INSTALL_TIMEOUT_SECONDS = 300;

    private final Path prefix;

    /** @param prefix the npm {@code --prefix} it is installed under, e.g. {@code ~/.cache/strata/portkey} */
    public PortkeyInstall(Path prefix) {
        this.prefix = prefix;
    }

    /** {@code ~/.cache/strata/portkey}. */
    public static PortkeyInstall inUserCache() {
        return new PortkeyInstall(Path.of(System.getProperty("user.home"), ".cache", "strata", "portkey"));
    }

    private Path startScript() {
        return prefix.resolve("node_modules/@portkey-ai/gateway/build/start-server.js");
    }

    private boolean installed() {
        Path pkg = prefix.resolve("node_modules/@portkey-ai/gateway/package.json");
        try {
            return Files.isRegularFile(startScript())
                    && Files.readString(pkg).contains("\"version\": \"" + VERSION + "\"");
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * The command that starts it on {@code port}, installing it first when needed; empty (with one line
     * to {@code note} saying why) when node or npm is missing or the install fails.
     */
    public Optional<List<String>> command(int port, Consumer<String> note) throws InterruptedException {
        if (!runs(List.of("node", "--version"), 10)) {
            note.accept("portkey: node not found on PATH; running without the Portkey column");
            return Optional.empty();
        }
        if (!installed()) {
            if (!runs(List.of("npm", "--version"), 30)) {
                note.accept("portkey: npm not found on PATH; running without the Portkey column");
                return Optional.empty();
            }
            note.accept("portkey: installing @portkey-ai/gateway@" + VERSION + " under " + prefix + " …");
            try {
                Files.createDirectories(prefix);
            } catch (IOException e) {
                note.accept("portkey: cannot create " + prefix + " (" + e.getMessage() + "); running without it");
                return Optional.empty();
            }
            if (!runs(List.of("npm", "install", "--prefix", prefix.toString(), "--no-audit", "--no-fund",
                    "--loglevel=error", "@portkey-ai/gateway@" + VERSION), INSTALL_TIMEOUT_SECONDS) || !installed()) {
                note.accept("portkey: npm install of @portkey-ai/gateway@" + VERSION
                        + " failed (offline?); running without the Portkey column");
                return Optional.empty();
            }
        }
        return Optional.of(List.of("node", startScript().toString(), "--port=" + port, "--headless"));
    }

    /** Runs a command to completion within the timeout; true when it exits 0. Output is discarded. */
    private static boolean runs(List<String> command, long timeoutSeconds) throws InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException e) {
            return false;
        }
        try {
            p.getOutputStream().close();
        } catch (IOException ignored) {
            // nothing to say to it anyway
        }
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            p.waitFor(5, TimeUnit.SECONDS);
            return false;
        }
        return p.exitValue() == 0;
    }

    /** The headers that make it forward to an OpenAI-compatible upstream at {@code baseUrl} (…/v1). */
    public static java.util.Map<String, String> headers(String baseUrl) {
        return java.util.Map.of("x-portkey-provider", "openai", "x-portkey-custom-host", baseUrl,
                "Authorization", "Bearer x");
    }
}
