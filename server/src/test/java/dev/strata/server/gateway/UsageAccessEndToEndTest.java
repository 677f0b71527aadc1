package dev.strata.server.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.server.config.TenancyConfig;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** With authentication on, {@code /v1/usage} shows a tenant's key its own usage only; the admin key sees all. */
class UsageAccessEndToEndTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient client = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    @Test
    void aTenantsKeyReadsOnlyItsOwnUsage() throws Exception {
        try (Replica r = Replica.start(TenancyConfig.DEFAULTS.withRequireAuth(true).withDataDir(dir), 8, 0)) {
            String acme = key(r, "acme");
            String globex = key(r, "globex");
            assertThat(r.complete(acme, "m", 2).statusCode()).isEqualTo(200);
            assertThat(r.complete(globex, "m", 3).statusCode()).isEqualTo(200);
            // the header cannot charge another tenant: usage follows the key
            HttpResponse<String> spoofed = client.send(HttpRequest.newBuilder(r.uri().resolve("/v1/completions"))
                    .header("Authorization", "Bearer " + acme).header("x-strata-tenant", "globex")
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                            "{\"model\":\"m\",\"prompt\":\"hello\",\"max_tokens\":4,\"ignore_eos\":true}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(spoofed.statusCode()).isEqualTo(200);

            assertThat(usage(r, "/v1/usage", null).statusCode()).isEqualTo(401);
            assertThat(usage(r, "/v1/usage", "sk-strata-0123456789ab_nope").statusCode()).isEqualTo(401);

            HttpResponse<String> own = usage(r, "/v1/usage", acme);
            assertThat(own.statusCode()).as(own.body()).isEqualTo(200);
            assertThat(tenants(own)).containsExactly("acme");
            assertThat(JSON.readTree(own.body()).at("/data/0/completion_tokens").asInt()).isEqualTo(2 + 4);

            HttpResponse<String> other = usage(r, "/v1/usage?tenant=globex", acme);
            assertThat(other.statusCode()).isEqualTo(403);
            assertThat(JSON.readTree(other.body()).at("/error/message").asText()).contains("acme only");

            HttpResponse<String> all = usage(r, "/v1/usage", Replica.ADMIN);
            assertThat(all.statusCode()).isEqualTo(200);
            assertThat(tenants(all)).containsExactlyInAnyOrder("acme", "globex");
            assertThat(JSON.readTree(usage(r, "/v1/usage?tenant=globex", Replica.ADMIN).body())
                    .at("/data/0/completion_tokens").asInt()).isEqualTo(3);
        }
    }

    private static String key(Replica r, String tenant) throws Exception {
        HttpResponse<String> made = r.admin("POST", "/admin/keys", "{\"tenant\":\"" + tenant + "\"}");
        assertThat(made.statusCode()).as(made.body()).isEqualTo(201);
        return JSON.readTree(made.body()).get("key").asText();
    }

    private HttpResponse<String> usage(Replica r, String path, String key) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(r.uri().resolve(path)).timeout(Duration.ofSeconds(30)).GET();
        if (key != null) {
            b.header("Authorization", "Bearer " + key);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static Set<String> tenants(HttpResponse<String> usage) throws Exception {
        Set<String> names = new HashSet<>();
        for (JsonNode row : JSON.readTree(usage.body()).get("data")) {
            names.add(row.get("tenant").asText());
        }
        return names;
    }
}
