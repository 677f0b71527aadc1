package dev.strata.server.gateway;

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
import dev.strata.server.registry.LoadedModel;
import dev.strata.server.testengine.Http;
import dev.strata.server.testengine.TestEngine;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class GatewayTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void notReadyUntilEveryModelLoadedAndWarmedUp() throws Exception {
        CountDownLatch loading = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ServerConfig server = new ServerConfig("127.0.0.1", 0, -1, Duration.ofSeconds(5), Limits.DEFAULTS,
                Optional.empty());
        StrataConfig config = new StrataConfig(server, List.of(new ModelConfig("m", Path.of("m.gguf"), 0, 0,
                SamplingDefaults.NONE)));
        TestEngine engine = new TestEngine("m", 128, 0);
        Gateway gateway = new Gateway(config, c -> {
            loading.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return new LoadedModel(engine, new TemplateChatFormatter(ChatTemplate.chatMl(TemplateOptions.of("", ""))));
        }, Clock.systemUTC(), "test");
        CompletableFuture<Void> started = CompletableFuture.runAsync(() -> {
            try {
                gateway.start();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        try {
            assertThat(loading.await(10, TimeUnit.SECONDS)).isTrue();
            Http http = new Http(gateway.httpUri());
            assertThat(http.get("/health/live").statusCode()).isEqualTo(200);
            HttpResponse<String> ready = http.get("/health/ready");
            assertThat(ready.statusCode()).isEqualTo(503);
            assertThat(ready.headers().firstValue("retry-after")).isPresent();
            assertThat(JSON.readTree(ready.body()).get("reason").asText()).isEqualTo("model m is loading");
            HttpResponse<String> call = http.post("/v1/completions", "{\"model\":\"m\",\"prompt\":\"a\"}");
            assertThat(call.statusCode()).isEqualTo(503);
            assertThat(call.headers().firstValue("retry-after")).isPresent();
            assertThat(JSON.readTree(http.get("/v1/models/m").body()).get("state").asText()).isEqualTo("loading");

            release.countDown();
            started.get(10, TimeUnit.SECONDS);
            assertThat(http.get("/health/ready").statusCode()).isEqualTo(200);
            assertThat(engine.submitted()).extracting(r -> r.id()).containsExactly("warmup");
            assertThat(http.post("/v1/completions", "{\"model\":\"m\",\"prompt\":\"a\"}").statusCode()).isEqualTo(200);
        } finally {
            release.countDown();
            gateway.stop();
        }
    }
}
