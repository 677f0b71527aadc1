package dev.strata.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.server.config.Limits;
import dev.strata.server.testengine.Http;
import dev.strata.server.testengine.TestEngine;
import dev.strata.server.testengine.TestGateway;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Bad requests get the right 4xx and OpenAI's error object; never a 500. */
class HttpErrorsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static TestGateway server;
    private static Http http;

    @BeforeAll
    static void start() throws Exception {
        server = TestGateway.serving("m", new TestEngine("m", 64, 0), new Limits(2048, 8, 4, 2));
        http = new Http(server.uri());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static JsonNode error(HttpResponse<String> r, int status) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("content-type").orElseThrow()).startsWith("application/json");
        JsonNode error = JSON.readTree(r.body()).get("error");
        assertThat(error.fieldNames()).toIterable().containsExactly("message", "type", "param", "code");
        assertThat(error.get("message").asText()).isNotBlank();
        return error;
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"temperature\":-0.5} | temperature",
        "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"temperature\":\"hot\"} | temperature",
        "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"top_p\":0} | top_p",
        "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"top_p\":1.5} | top_p",
        "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"n\":5} | n",
        "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"n\":1.5} | n",
        "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":65} | max_tokens",
        "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":0} | max_tokens",
        "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"stream\":\"yes\"} | stream",
        "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"stop\":[1]} | stop",
        "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"logit_bias\":{\"x\":1}} | logit_bias",
        "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"logit_bias\":{\"999\":1}} | logit_bias",
        "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"top_logprobs\":2} | top_logprobs",
        "{\"model\":\"m\",\"messages\":[{\"role\":\"wizard\",\"content\":\"hi\"}]} | messages[0].role",
        "{\"model\":\"m\",\"messages\":[]} | messages",
        "{\"model\":\"m\"} | messages",
        "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]} | model",
        "{\"model\":7,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]} | model",
    })
    void badChatFieldsAre400NamingTheParam(String body, String param) throws Exception {
        JsonNode error = error(http.post("/v1/chat/completions", body), 400);
        assertThat(error.get("param").asText()).isEqualTo(param);
        assertThat(error.get("type").asText()).isEqualTo("invalid_request_error");
    }

    @Test
    void invalidJsonIs400() throws Exception {
        assertThat(error(http.post("/v1/chat/completions", "{\"model\":"), 400).get("code").asText())
                .isEqualTo("invalid_json");
        error(http.post("/v1/completions", "[1,2]"), 400);
        error(http.post("/v1/completions", ""), 400);
    }

    @Test
    void promptLongerThanContextIs400() throws Exception {
        JsonNode e = error(http.post("/v1/completions", "{\"model\":\"m\",\"prompt\":\"" + "x".repeat(100) + "\"}"), 400);
        assertThat(e.get("code").asText()).isEqualTo("context_length_exceeded");
    }

    @Test
    void unknownModelAndRouteAre404() throws Exception {
        assertThat(error(http.post("/v1/completions", "{\"model\":\"x\",\"prompt\":\"a\"}"), 404).get("code").asText())
                .isEqualTo("model_not_found");
        error(http.get("/v1/nothing"), 404);
        error(http.get("/v1/models/x"), 404);
    }

    @Test
    void wrongMethodIs405WithAllow() throws Exception {
        HttpResponse<String> r = http.get("/v1/chat/completions");
        error(r, 405);
        assertThat(r.headers().firstValue("allow")).contains("POST");
    }

    @Test
    void bodyOverTheLimitIs413() throws Exception {
        String big = "{\"model\":\"m\",\"prompt\":\"" + "x".repeat(4096) + "\"}";
        error(http.post("/v1/completions", big), 413);
        HttpRequest chunked = HttpRequest.newBuilder(server.uri().resolve("/v1/completions"))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(big.getBytes())))
                .build();
        error(http.send(chunked), 413);
    }

    @Test
    void healthAndVersion() throws Exception {
        assertThat(http.get("/health/live").statusCode()).isEqualTo(200);
        assertThat(http.get("/health/ready").statusCode()).isEqualTo(200);
        JsonNode v = JSON.readTree(http.get("/version").body());
        assertThat(v.get("version").asText()).isEqualTo("test");
        JsonNode card = JSON.readTree(http.get("/v1/models/m").body());
        assertThat(card.get("context_length").asInt()).isEqualTo(64);
        assertThat(card.get("state").asText()).isEqualTo("ready");
        assertThat(card.get("quantization").asText()).isEqualTo("F32");
        assertThat(card.get("architecture").asText()).isEqualTo("test");
    }
}
