package dev.strata.server.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.engine.generate.GenerationRequest;
import dev.strata.server.config.TenancyConfig;
import dev.strata.server.testengine.TestEngine;
import dev.strata.server.config.ModelPrice;
import dev.strata.server.tenant.Quota;
import dev.strata.server.tenant.Tenant;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Keys, limits, budgets, fair share and the audit log through HTTP, on local SQLite only. */
class TenancyEndToEndTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private TenancyConfig auth() {
        return TenancyConfig.DEFAULTS.withRequireAuth(true).withDataDir(dir);
    }

    private static String createKey(Replica r, String body) throws Exception {
        HttpResponse<String> made = r.admin("POST", "/admin/keys", body);
        assertThat(made.statusCode()).as(made.body()).isEqualTo(201);
        return JSON.readTree(made.body()).get("key").asText();
    }

    private static JsonNode error(HttpResponse<String> r) throws Exception {
        return JSON.readTree(r.body()).get("error");
    }

    @Test
    void keysAuthenticateAndRestrictModels() throws Exception {
        try (Replica r = Replica.start(auth(), 8, 0)) {
            String key = createKey(r, "{\"tenant\":\"acme\",\"models\":[\"m\"]}");
            assertThat(r.complete(key, "m", 3).statusCode()).isEqualTo(200);

            HttpResponse<String> none = r.complete(null, "m", 3);
            assertThat(none.statusCode()).isEqualTo(401);
            assertThat(error(none).get("code").asText()).isEqualTo("invalid_api_key");
            assertThat(r.complete("sk-strata-0123456789ab_nope", "m", 3).statusCode()).isEqualTo(401);

            HttpResponse<String> forbidden = r.complete(key, "small", 3);
            assertThat(forbidden.statusCode()).isEqualTo(403);
            assertThat(error(forbidden).get("type").asText()).isEqualTo("permission_error");

            String id = key.substring("sk-strata-".length(), key.indexOf('_'));
            HttpResponse<String> rotated = r.admin("POST", "/admin/keys/" + id + "/rotate", null);
            String newKey = JSON.readTree(rotated.body()).get("key").asText();
            assertThat(r.admin("GET", "/admin/keys?tenant=acme", null).body()).doesNotContain(newKey.substring(23));
            awaitStatus(r, key, 401);
            assertThat(r.complete(newKey, "m", 3).statusCode()).isEqualTo(200);
            assertThat(r.complete(newKey, "m", 3).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void revocationReachesAnotherReplicaWithinASecond() throws Exception {
        try (Replica a = Replica.start(auth(), 8, 0); Replica b = Replica.start(auth(), 8, 0)) {
            String key = createKey(a, "{\"tenant\":\"acme\"}");
            assertThat(b.complete(key, "m", 1).statusCode()).isEqualTo(200);
            String id = key.substring("sk-strata-".length(), key.indexOf('_'));
            assertThat(a.admin("DELETE", "/admin/keys/" + id, null).statusCode()).isEqualTo(200);
            // b trusts a looked-up key for keyCache at most, so revocation reaches it within that bound;
            // the wall clock of this loop is not asserted (a loaded test machine stretches it)
            assertThat(b.gateway().config().tenancy().keyCache()).isLessThanOrEqualTo(Duration.ofSeconds(1));
            awaitStatus(b, key, 401);
        }
    }

    /** Calls until {@code status} comes back (bounded: 10 s), without sleeping. */
    private static void awaitStatus(Replica r, String key, int status) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        int last;
        do {
            last = r.complete(key, "m", 1).statusCode();
        } while (last != status && System.nanoTime() < deadline);
        assertThat(last).isEqualTo(status);
    }

    @Test
    void budgetStopsATenantOrDowngradesIt() throws Exception {
        ModelPrice price = new ModelPrice(0, 100_000); // $0.1 per 1k output tokens
        Quota stop = new Quota(null, null, null, null, Set.of(), 0.001, null, null, null, null);
        Quota downgrade = new Quota(null, null, null, null, Set.of(), 0.001, null, null, null, "small");
        TenancyConfig t = auth();
        t = new TenancyConfig(t.requireAuth(), t.adminKey(), t.keyCache(), t.dataDir(), t.databaseUrl(), t.redisUrl(),
                t.redisPrefix(), t.redisTimeout(), t.onRedisFailure(), t.maxQueuedPerTenant(), t.maxQueueWait(),
                List.of(new Tenant("frugal", stop, false), new Tenant("thrifty", downgrade, false)));
        try (Replica r = Replica.start(t, 8, 0, price)) {
            String frugal = createKey(r, "{\"tenant\":\"frugal\"}");
            assertThat(r.complete(frugal, "m", 10).statusCode()).isEqualTo(200); // $0.001: budget reached
            HttpResponse<String> over = r.complete(frugal, "m", 10);
            assertThat(over.statusCode()).isEqualTo(429);
            assertThat(error(over).get("message").asText()).contains("daily budget of $0.0010");
            assertThat(over.headers().firstValue("retry-after")).isPresent();

            String thrifty = createKey(r, "{\"tenant\":\"thrifty\"}");
            assertThat(r.complete(thrifty, "m", 10).statusCode()).isEqualTo(200);
            HttpResponse<String> cheaper = r.complete(thrifty, "m", 10);
            assertThat(cheaper.statusCode()).isEqualTo(200);
            assertThat(JSON.readTree(cheaper.body()).get("model").asText()).isEqualTo("small");
        }
    }

    @Test
    void auditLogSurvivesARestartAndExportsJsonLines() throws Exception {
        String key;
        try (Replica r = Replica.start(auth(), 8, 0)) {
            key = createKey(r, "{\"tenant\":\"acme\"}");
            for (int i = 0; i < 5; i++) {
                assertThat(r.complete(key, "m", 4).statusCode()).isEqualTo(200);
            }
            assertThat(r.complete(null, "m", 4).statusCode()).isEqualTo(401);
        }
        try (Replica r = Replica.start(auth(), 8, 0)) {
            JsonNode rows = JSON.readTree(r.admin("GET", "/admin/audit?tenant=acme", null).body()).get("data");
            assertThat(rows).hasSize(5);
            JsonNode first = rows.get(0);
            assertThat(first.get("status").asInt()).isEqualTo(200);
            assertThat(first.get("model").asText()).isEqualTo("m");
            assertThat(first.get("completion_tokens").asInt()).isEqualTo(4);
            assertThat(first.get("prompt_sha256").asText()).hasSize(64);
            assertThat(first.get("output_sha256").asText()).hasSize(64);
            assertThat(first.has("prompt_text")).isFalse();
            HttpResponse<String> all = r.admin("GET", "/admin/audit?format=jsonl", null);
            assertThat(all.headers().firstValue("content-type")).hasValueSatisfying(v -> assertThat(v).contains("jsonl"));
            assertThat(all.body().lines().toList()).hasSize(6);
            assertThat(JSON.readTree(r.admin("GET", "/admin/audit?status=401", null).body()).get("data")).hasSize(1);
        }
    }

    @Test
    void priorityIsCappedToWhatTheTenantMayUseInWhatTheEngineReceives() throws Exception {
        TenancyConfig t = auth();
        Quota capped = new Quota(null, null, null, null, Set.of(), null, null, 1, null, null);
        t = new TenancyConfig(t.requireAuth(), t.adminKey(), t.keyCache(), t.dataDir(), t.databaseUrl(), t.redisUrl(),
                t.redisPrefix(), t.redisTimeout(), t.onRedisFailure(), t.maxQueuedPerTenant(), t.maxQueueWait(),
                List.of(new Tenant("low", capped, false)));
        try (Replica r = Replica.start(t, 8, 0)) {
            String low = createKey(r, "{\"tenant\":\"low\"}");
            String free = createKey(r, "{\"tenant\":\"free\"}");
            TestEngine engine = (TestEngine) r.gateway().registry().find("m").orElseThrow().loaded().orElseThrow()
                    .engine();
            for (String[] call : new String[][] {{low, "9"}, {low, "-3"}, {free, "9"}}) {
                HttpResponse<String> res = r.post("/v1/completions", call[0], "{\"model\":\"m\",\"prompt\":\"p"
                        + call[1] + "\",\"max_tokens\":1,\"priority\":" + call[1] + "}");
                assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
            }
            // the tenant capped at 1 asked for 9 and runs at 1; below the cap and uncapped tenants keep theirs
            List<GenerationRequest> submitted = engine.submitted();
            assertThat(submitted.subList(submitted.size() - 3, submitted.size())) // after the warm-up's
                    .extracting(GenerationRequest::priority).containsExactly(1, -3, 9);
        }
    }

    @Test
    void floodingTenantDoesNotStarveAnother() throws Exception {
        TenancyConfig t = auth().withQueue(100, Duration.ofSeconds(30));
        // One slot, 20 ms per token, 5 tokens per request: about 100 ms of service each.
        try (Replica r = Replica.start(t, 1, 20_000_000L); ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            String a = createKey(r, "{\"tenant\":\"a\"}");
            String b = createKey(r, "{\"tenant\":\"b\"}");
            List<Future<Long>> flood = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                flood.add(pool.submit(() -> timed(r, a)));
            }
            while (r.gateway().tenancy().queue().stats().waiting() < 8) {
                Thread.onSpinWait(); // the flood is queued before b arrives
            }
            long bMillis = timed(r, b);
            List<Long> aMillis = new ArrayList<>();
            for (Future<Long> f : flood) {
                aMillis.add(f.get());
            }
            aMillis.sort(null);
            // b waits for at most the running request and one of a's: far less than a's backlog.
            assertThat(bMillis).isLessThan(aMillis.get(aMillis.size() - 1) / 2);
            assertThat(r.gateway().tenancy().queue().stats().waitNanosTotal()).isPositive();
        }
    }

    private static long timed(Replica r, String key) throws Exception {
        long start = System.nanoTime();
        HttpResponse<String> res = r.complete(key, "m", 5);
        assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
        return (System.nanoTime() - start) / 1_000_000;
    }
}
