package dev.strata.server.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.server.config.ModelPrice;
import dev.strata.server.config.TenancyConfig;
import dev.strata.server.store.Database;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code GET /v1/usage} answers the same after the server restarts on the same data directory. */
class UsagePersistenceTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ModelPrice PRICE = new ModelPrice(2.0, 8.0);

    @TempDir
    Path dir;

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private HttpResponse<String> complete(Replica r, String tenant, String model, int maxTokens) throws Exception {
        return client.send(HttpRequest.newBuilder(r.uri().resolve("/v1/completions")).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").header("x-strata-tenant", tenant)
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"" + model
                        + "\",\"prompt\":\"hello\",\"max_tokens\":" + maxTokens + ",\"ignore_eos\":true}")).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode usage(Replica r, String query) throws Exception {
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(r.uri().resolve("/v1/usage" + query))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    @Test
    void usageSurvivesARestartOnTheSameDataDirectory() throws Exception {
        TenancyConfig tenancy = TenancyConfig.DEFAULTS.withDataDir(dir);
        String today = LocalDate.now(ZoneOffset.UTC).toString();
        String range = "?from=" + LocalDate.parse(today).minusDays(1) + "&to=" + LocalDate.parse(today).plusDays(1);
        JsonNode acme;
        JsonNode all;
        try (Replica r = Replica.start(tenancy, 4, 0, PRICE)) {
            for (int i = 0; i < 3; i++) {
                assertThat(complete(r, "acme", "m", 2 + i).statusCode()).isEqualTo(200);
            }
            assertThat(complete(r, "acme", "small", 4).statusCode()).isEqualTo(200);
            assertThat(complete(r, "beta", "m", 5).statusCode()).isEqualTo(200);
            acme = usage(r, range + "&tenant=acme");
            all = usage(r, range);
        }
        assertThat(Files.exists(dir.resolve(Database.SQLITE_FILE))).isTrue();
        assertThat(acme.get("data")).hasSize(2);
        JsonNode m = acme.get("data").get(0);
        assertThat(m.get("model").asText()).isEqualTo("m");
        assertThat(m.get("date").asText()).isEqualTo(today);
        assertThat(m.get("requests").asLong()).isEqualTo(3);
        assertThat(m.get("completion_tokens").asLong()).isEqualTo(2 + 3 + 4);
        assertThat(m.get("cost_usd").asDouble()).isEqualTo(PRICE.costUsd(m.get("prompt_tokens").asLong(), 9),
                org.assertj.core.data.Offset.offset(1e-12));
        assertThat(all.get("data")).hasSize(3);

        try (Replica r = Replica.start(tenancy, 4, 0, PRICE)) {
            assertThat(usage(r, range + "&tenant=acme")).isEqualTo(acme);
            assertThat(usage(r, range)).isEqualTo(all);
            assertThat(complete(r, "beta", "m", 1).statusCode()).isEqualTo(200);
            JsonNode beta = usage(r, range + "&tenant=beta").get("data");
            assertThat(beta).hasSize(1);
            assertThat(beta.get(0).get("requests").asLong()).isEqualTo(2);
            assertThat(beta.get(0).get("completion_tokens").asLong()).isEqualTo(6);
        }
    }
}
