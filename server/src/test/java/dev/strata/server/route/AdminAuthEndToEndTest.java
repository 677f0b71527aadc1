package dev.strata.server.route;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.engine.template.ChatTemplate;
import dev.strata.engine.template.TemplateOptions;
import dev.strata.server.chat.TemplateChatFormatter;
import dev.strata.server.config.Limits;
import dev.strata.server.config.ModelConfig;
import dev.strata.server.config.ObserveConfig;
import dev.strata.server.config.SamplingDefaults;
import dev.strata.server.config.ServerConfig;
import dev.strata.server.config.StrataConfig;
import dev.strata.server.config.TenancyConfig;
import dev.strata.server.gateway.Gateway;
import dev.strata.server.observe.Observability;
import dev.strata.server.registry.LoadedModel;
import dev.strata.server.testengine.TestEngine;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The gateway's admin endpoints behind the admin key: 401 without one, 403 with another key. */
class AdminAuthEndToEndTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ADMIN = "admin-secret-key";

    @TempDir
    Path dir;

    @Test
    void gatewayAdminEndpointsNeedTheAdminKeyWhenOneIsConfigured() throws Exception {
        Path file = dir.resolve("strata.yaml");
        Files.writeString(file, """
                gateway:
                  upstreams: [{name: up, base_url: "http://127.0.0.1:9/v1"}]
                  routes: [{name: r, targets: [up], canary: {target: up, weight_percent: 5}}]
                """);
        ServerConfig server = new ServerConfig("127.0.0.1", 0, -1, Duration.ofSeconds(5), Limits.DEFAULTS,
                Optional.empty());
        StrataConfig cfg = new StrataConfig(server, List.of(new ModelConfig("local", Path.of("local.gguf"), 0, 0,
                SamplingDefaults.NONE)), ObserveConfig.DEFAULTS, TenancyConfig.DEFAULTS.withAdminKey(ADMIN));
        Gateway gateway = new Gateway(cfg, c -> new LoadedModel(new TestEngine("local", 4096, 0),
                new TemplateChatFormatter(ChatTemplate.chatMl(TemplateOptions.of("<s>", "</s>")))),
                Clock.systemUTC(), "test", Observability.fromEnvironment(cfg, Map.of(), Clock.systemUTC()),
                new RoutesSource(file));
        gateway.start();
        try (HttpClient client = HttpClient.newHttpClient()) {
            URI base = gateway.httpUri();
            for (String[] call : new String[][] {{"GET", "/admin/routes"}, {"POST", "/admin/reload"},
                    {"POST", "/admin/routes/r/promote"}, {"GET", "/admin/shadow/r"}}) {
                HttpResponse<String> none = send(client, base, call[0], call[1], null);
                assertThat(none.statusCode()).as(call[1]).isEqualTo(401);
                assertThat(JSON.readTree(none.body()).path("error").path("message").asText()).contains("admin key");
                HttpResponse<String> wrong = send(client, base, call[0], call[1], "Bearer not-the-key");
                assertThat(wrong.statusCode()).as(call[1]).isEqualTo(403);
                assertThat(JSON.readTree(wrong.body()).path("error").path("code").asText()).isEqualTo("not_admin_key");
            }
            assertThat(JSON.readTree(send(client, base, "GET", "/admin/routes", null).body()).has("routes")).isFalse();
            HttpResponse<String> ok = send(client, base, "GET", "/admin/routes", "Bearer " + ADMIN);
            assertThat(ok.statusCode()).isEqualTo(200);
            assertThat(JSON.readTree(ok.body()).path("routes").path("r").path("canary_weight_percent").asDouble())
                    .isEqualTo(5.0); // the refused promote changed nothing
            assertThat(send(client, base, "POST", "/admin/routes/r/promote", "Bearer " + ADMIN).statusCode())
                    .isEqualTo(200);
        } finally {
            gateway.stop();
        }
    }

    private static HttpResponse<String> send(HttpClient client, URI base, String method, String path,
            String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10))
                .method(method, method.equals("GET") ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString("{}"));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
