package dev.strata.server.route;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.strata.server.GatewayException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Supplier;

/** Reads the {@code gateway:} section of the config file afresh on every call (each reload). */
public final class RoutesSource implements Supplier<JsonNode> {
    private final Path file;
    private final ObjectMapper yaml = new ObjectMapper(new YAMLFactory());

    public RoutesSource(Path file) {
        this.file = file;
    }

    /** The config file, for watching. */
    public Path file() {
        return file;
    }

    /** The section, or {@code null} when the file has none. */
    @Override
    public JsonNode get() {
        try {
            JsonNode root = yaml.readTree(file.toFile());
            JsonNode g = root == null ? null : root.get("gateway");
            return g == null || g.isNull() ? null : g;
        } catch (IOException e) {
            throw new GatewayException.InvalidConfig("gateway", "cannot read " + file + ": " + e.getMessage());
        }
    }
}
