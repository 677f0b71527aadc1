package dev.strata.server.gateway;

import dev.strata.engine.template.ChatTemplate;
import dev.strata.engine.template.TemplateOptions;
import dev.strata.server.chat.TemplateChatFormatter;
import dev.strata.server.config.Limits;
import dev.strata.server.config.ModelConfig;
import dev.strata.server.config.ModelPrice;
import dev.strata.server.config.ObserveConfig;
import dev.strata.server.config.SamplingDefaults;
import dev.strata.server.config.ServerConfig;
import dev.strata.server.config.StrataConfig;
import dev.strata.server.config.TenancyConfig;
import dev.strata.server.registry.LoadedModel;
import dev.strata.server.testengine.TestEngine;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** One Strata server with tenancy on, serving test engines as models "m" and "small", for end-to-end tests. */
final class Replica implements AutoCloseable {
    static final String ADMIN = "admin-secret";

    private final Gateway gateway;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private Replica(Gateway gateway) {
        this.gateway = gateway;
    }

    /** @param stepNanos time per generated token of the test engine */
    static Replica start(TenancyConfig tenancy, int maxConcurrent, long stepNanos) throws Exception {
        return start(tenancy, maxConcurrent, stepNanos, ModelPrice.FREE);
    }

    /** @param price the price of model "m" ("small" is free) */
    static Replica start(TenancyConfig tenancy, int maxConcurrent, long stepNanos, ModelPrice price) throws Exception {
        ServerConfig server = new ServerConfig("127.0.0.1", 0, 0, Duration.ofSeconds(5),
                new Limits(1 << 20, maxConcurrent, 4, 1), Optional.empty());
        List<ModelConfig> models = List.of(new ModelConfig("m", Path.of("m.gguf"), 0, 0, SamplingDefaults.NONE, price),
                new ModelConfig("small", Path.of("small.gguf"), 0, 0, SamplingDefaults.NONE));
        Gateway g = new Gateway(new StrataConfig(server, models, ObserveConfig.DEFAULTS, tenancy.withAdminKey(ADMIN)),
                config -> new LoadedModel(new TestEngine(config.id(), 4096, stepNanos),
                        new TemplateChatFormatter(ChatTemplate.chatMl(TemplateOptions.of("<s>", "</s>")))),
                Clock.systemUTC(), "test");
        g.start();
        return new Replica(g);
    }

    Gateway gateway() {
        return gateway;
    }

    int grpcPort() {
        return gateway.grpcPort();
    }

    URI uri() {
        return gateway.httpUri();
    }

    HttpResponse<String> complete(String key, String model, int maxTokens) throws IOException, InterruptedException {
        return post("/v1/completions", key, "{\"model\":\"" + model + "\",\"prompt\":\"hello\",\"max_tokens\":"
                + maxTokens + ",\"ignore_eos\":true}");
    }

    HttpResponse<String> post(String path, String key, String json) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri().resolve(path)).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json));
        if (key != null) {
            b.header("Authorization", "Bearer " + key);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> admin(String method, String path, String json) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri().resolve(path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + ADMIN).header("Content-Type", "application/json");
        b.method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() {
        gateway.stop();
    }
}
