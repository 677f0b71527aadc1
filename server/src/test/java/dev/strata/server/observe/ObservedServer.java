package dev.strata.server.observe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.server.config.Limits;
import dev.strata.server.config.ModelConfig;
import dev.strata.server.config.ModelPrice;
import dev.strata.server.config.ObserveConfig;
import dev.strata.server.config.SamplingDefaults;
import dev.strata.server.config.ServerConfig;
import dev.strata.server.config.StrataConfig;
import dev.strata.server.cost.InMemoryUsageStore;
import dev.strata.server.gateway.Gateway;
import dev.strata.server.metrics.PrometheusRegistries;
import dev.strata.server.registry.GgufModelLoader;
import dev.strata.server.testengine.Http;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The demo model served on 127.0.0.1 with observability wired to in-memory collaborators: spans in
 * an {@link InMemorySpanExporter}, log lines in a buffer, a fixed wall clock (usage day
 * {@link #DAY}), and the price {@link #PRICE} for the model.
 */
final class ObservedServer implements AutoCloseable {
    static final String MODEL = "stories260K";
    static final ModelPrice PRICE = new ModelPrice(2.0, 8.0);
    static final Instant NOW = Instant.parse("2026-11-23T12:00:00Z");
    static final String DAY = "2026-11-23";

    final InMemorySpanExporter spans = InMemorySpanExporter.create();
    final ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
    final Gateway gateway;
    final Http http;
    private final ObjectMapper json = new ObjectMapper();

    private ObservedServer(ObserveConfig observe, Limits limits, int grpcPort) throws Exception {
        Path model = Path.of(System.getProperty("strata.models.dir", "../models"), "stories260K.gguf");
        ServerConfig server = new ServerConfig("127.0.0.1", 0, grpcPort, Duration.ofSeconds(5), limits,
                Optional.empty());
        StrataConfig config = new StrataConfig(server,
                List.of(new ModelConfig(MODEL, model, 1, 0, SamplingDefaults.NONE, PRICE)), observe);
        OpenTelemetrySdk otel = OpenTelemetrySdk.builder().setTracerProvider(SdkTracerProvider.builder()
                .addSpanProcessor(SimpleSpanProcessor.create(spans)).build()).build();
        Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
        Observability observability = new Observability(config, PrometheusRegistries.withJvmMetrics(), otel,
                new InMemoryUsageStore(), new PrintStream(logBytes, true, StandardCharsets.UTF_8), clock,
                System::nanoTime);
        this.gateway = new Gateway(config, new GgufModelLoader(4, 64), clock, "test", observability);
        gateway.start();
        this.http = new Http(gateway.httpUri());
    }

    static ObservedServer start(ObserveConfig observe) throws Exception {
        return new ObservedServer(observe, Limits.DEFAULTS, -1);
    }

    /** With gRPC on a free port as well ({@code gateway.grpcPort()}). */
    static ObservedServer startWithGrpc(ObserveConfig observe) throws Exception {
        return new ObservedServer(observe, Limits.DEFAULTS, 0);
    }

    static ObservedServer start(ObserveConfig observe, Limits limits) throws Exception {
        return new ObservedServer(observe, limits, -1);
    }

    /** {@code GET /metrics}, parsed. */
    Scrape scrape() throws Exception {
        var response = http.get("/metrics");
        if (response.statusCode() != 200) {
            throw new AssertionError("GET /metrics answered " + response.statusCode());
        }
        return Scrape.parse(response.body());
    }

    /** Every JSON log line written so far. */
    List<JsonNode> logLines() throws Exception {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : logBytes.toString(StandardCharsets.UTF_8).split("\n")) {
            if (!line.isBlank()) {
                lines.add(json.readTree(line));
            }
        }
        return lines;
    }

    String logText() {
        return logBytes.toString(StandardCharsets.UTF_8);
    }

    JsonNode post(String path, String body) throws Exception {
        var response = http.post(path, body);
        if (response.statusCode() != 200) {
            throw new AssertionError(path + " answered " + response.statusCode() + ": " + response.body());
        }
        return json.readTree(response.body());
    }

    @Override
    public void close() {
        gateway.stop();
    }
}
