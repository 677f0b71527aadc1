package dev.strata.server.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.server.config.ObserveConfig;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A streamed response's cost — which cannot be a header, sent before generation — arrives in the
 * final usage chunk ({@code usage.cost_usd}) and as the HTTP trailer {@code x-strata-cost-usd},
 * read here off the raw chunked HTTP/1.1 response.
 */
class StreamingCostTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static ObservedServer server;

    @BeforeAll
    static void start() throws Exception {
        server = ObservedServer.start(ObserveConfig.DEFAULTS);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** A chunked response: headers (lower-case names), the de-chunked body, the trailers. */
    record Raw(int status, Map<String, String> headers, String body, Map<String, String> trailers) {}

    private static Raw post(String path, String json) throws Exception {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        try (Socket socket = new Socket("127.0.0.1", server.gateway.httpUri().getPort())) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + body.length + "\r\nTE: trailers\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            InputStream in = socket.getInputStream();
            String statusLine = line(in);
            Map<String, String> headers = fields(in);
            assertThat(headers.get("transfer-encoding")).isEqualTo("chunked");
            ByteArrayOutputStream content = new ByteArrayOutputStream();
            while (true) {
                int size = Integer.parseInt(line(in).split(";")[0].strip(), 16);
                if (size == 0) {
                    break;
                }
                content.write(in.readNBytes(size));
                assertThat(line(in)).isEmpty();
            }
            return new Raw(Integer.parseInt(statusLine.split(" ")[1]), headers,
                    content.toString(StandardCharsets.UTF_8), fields(in));
        }
    }

    private static Map<String, String> fields(InputStream in) throws Exception {
        Map<String, String> out = new LinkedHashMap<>();
        for (String l = line(in); !l.isEmpty(); l = line(in)) {
            int colon = l.indexOf(':');
            out.put(l.substring(0, colon).strip().toLowerCase(Locale.ROOT), l.substring(colon + 1).strip());
        }
        return out;
    }

    private static String line(InputStream in) throws Exception {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                throw new AssertionError("connection closed mid-line");
            }
            if (c != '\r') {
                b.write(c);
            }
        }
        return b.toString(StandardCharsets.US_ASCII);
    }

    private static JsonNode lastUsage(String sse) throws Exception {
        JsonNode usage = null;
        for (String l : sse.split("\n")) {
            if (l.startsWith("data: {")) {
                JsonNode event = JSON.readTree(l.substring(6));
                if (event.hasNonNull("usage")) {
                    usage = event.get("usage");
                }
            }
        }
        assertThat(usage).as("a usage chunk").isNotNull();
        return usage;
    }

    private static double price(JsonNode usage) {
        return ObservedServer.PRICE.costUsd(usage.get("prompt_tokens").asLong(), usage.get("completion_tokens").asLong());
    }

    @Test
    void streamedChatCarriesItsCostInTheUsageChunkAndTheTrailer() throws Exception {
        Raw r = post("/v1/chat/completions", "{\"model\":\"" + ObservedServer.MODEL + "\",\"messages\":[{\"role\":"
                + "\"user\",\"content\":\"Tell a story\"}],\"max_tokens\":5,\"stream\":true,"
                + "\"stream_options\":{\"include_usage\":true}}");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.headers()).doesNotContainKey("x-strata-cost-usd");
        JsonNode usage = lastUsage(r.body());
        assertThat(usage.get("completion_tokens").asInt()).isPositive();
        assertThat(usage.get("cost_usd").asDouble()).isPositive().isCloseTo(price(usage), within(1e-12));
        assertThat(r.trailers()).containsKey("x-strata-cost-usd");
        assertThat(Double.parseDouble(r.trailers().get("x-strata-cost-usd"))).isCloseTo(price(usage), within(1e-9));
        assertThat(r.body()).endsWith("data: [DONE]\n\n");
    }

    @Test
    void streamedCompletionWithoutUsageStillHasTheTrailer() throws Exception {
        Raw r = post("/v1/completions", "{\"model\":\"" + ObservedServer.MODEL + "\",\"prompt\":\"Once upon a time\","
                + "\"max_tokens\":4,\"stream\":true}");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).doesNotContain("\"usage\"").doesNotContain("cost_usd");
        assertThat(Double.parseDouble(r.trailers().get("x-strata-cost-usd"))).isPositive();
    }

    @Test
    void wholeResponsesKeepTheHeaderAndNoCostInTheBody() throws Exception {
        var response = server.http.post("/v1/completions", "{\"model\":\"" + ObservedServer.MODEL
                + "\",\"prompt\":\"Once upon a time\",\"max_tokens\":4}");
        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode usage = JSON.readTree(response.body()).get("usage");
        assertThat(usage.has("cost_usd")).isFalse();
        assertThat(Double.parseDouble(response.headers().firstValue("x-strata-cost-usd").orElseThrow()))
                .isCloseTo(price(usage), within(1e-9));
    }
}
