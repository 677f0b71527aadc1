package dev.strata.server.route;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.engine.template.ChatTemplate;
import dev.strata.engine.template.TemplateOptions;
import dev.strata.server.chat.TemplateChatFormatter;
import dev.strata.server.config.Limits;
import dev.strata.server.config.ModelConfig;
import dev.strata.server.config.SamplingDefaults;
import dev.strata.server.config.ServerConfig;
import dev.strata.server.config.StrataConfig;
import dev.strata.server.gateway.Gateway;
import dev.strata.server.observe.Observability;
import dev.strata.server.registry.LoadedModel;
import dev.strata.server.testengine.Http;
import dev.strata.server.testengine.TestEngine;
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

/** A Strata whose route points back at itself: the hop header ends the loop with a 508. */
class LoopGuardEndToEndTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void aRouteThatPointsBackAtItsOwnGatewayEndsWith508() throws Exception {
        Path file = dir.resolve("strata.yaml");
        Files.writeString(file, "gateway:\n  upstreams: []\n  routes: []\n");
        ServerConfig server = new ServerConfig("127.0.0.1", 0, -1, Duration.ofSeconds(5), Limits.DEFAULTS,
                Optional.empty());
        StrataConfig cfg = new StrataConfig(server, List.of(new ModelConfig("local", Path.of("local.gguf"), 0, 0,
                SamplingDefaults.NONE)));
        Gateway front = new Gateway(cfg, c -> new LoadedModel(new TestEngine("local", 4096, 0),
                new TemplateChatFormatter(ChatTemplate.chatMl(TemplateOptions.of("<s>", "</s>")))),
                Clock.systemUTC(), "test", Observability.fromEnvironment(cfg, Map.of(), Clock.systemUTC()),
                new RoutesSource(file));
        front.start();
        try {
            Http http = new Http(front.httpUri());
            Files.writeString(file, """
                    gateway:
                      upstreams: [{name: self, base_url: "%s/v1"}]
                      routes: [{name: loop, targets: [self]}]
                    """.formatted(front.httpUri().toString().replaceAll("/$", "")));
            assertThat(http.post("/admin/reload", "{}").statusCode()).isEqualTo(200);
            HttpResponse<String> r = http.post("/v1/chat/completions",
                    "{\"model\":\"loop\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
            assertThat(r.statusCode()).isEqualTo(508);
            assertThat(JSON.readTree(r.body()).path("error").path("message").asText()).contains("routing loop");
            // each level passed the refusal back without retrying: the breaker saw client errors only
            assertThat(r.headers().firstValue("x-strata-route").orElse("")).contains("trail=self:client_error");
        } finally {
            front.stop();
        }
    }
}
