package dev.strata.server.backend;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ClientBodyTest {
    private static final JsonFactory JSON = new JsonFactory();

    private static String withModel(String body, String model) {
        byte[] out = ClientBody.withModel(JSON, body.getBytes(StandardCharsets.UTF_8), model);
        return out == null ? null : new String(out, StandardCharsets.UTF_8);
    }

    @Test
    void onlyTheTopLevelModelIsReplacedEveryOtherByteStays() {
        String body = "{ \"messages\": [{\"role\":\"user\",\"content\":\"h\\u00e9 \\\"x\\\"\", \"model\":\"inner\"}],\n"
                + "  \"model\" : \"alias\", \"max_tokens\":5}";
        assertThat(withModel(body, "real-model")).isEqualTo(body.replace("\"alias\"", "\"real-model\""));
        assertThat(withModel("{\"model\":\"a\"}", "q\"é")).isEqualTo("{\"model\":\"q\\\"é\"}");
    }

    @Test
    void anythingUnusualIsLeftToTheTree() {
        assertThat(withModel("{\"messages\":[]}", "m")).isNull();
        assertThat(withModel("{\"model\":3}", "m")).isNull();
        assertThat(withModel("{\"model\":\"a\",\"model\":\"b\"}", "m")).isNull();
        assertThat(withModel("[1]", "m")).isNull();
        assertThat(withModel("{\"model\":\"a\"", "m")).isNull();
        assertThat(withModel("{\"model\":\"a\"} {}", "m")).isNull();
    }

    @Test
    void theBytesStandOnlyForTheTreeTheyWereParsedInto() throws Exception {
        ObjectMapper json = new ObjectMapper();
        byte[] bytes = "{\"model\":\"a\"}".getBytes(StandardCharsets.UTF_8);
        ObjectNode parsed = (ObjectNode) json.readTree(bytes);
        ClientBody body = new ClientBody();
        assertThat(body.bytesOf(parsed)).isNull();
        body.bind(parsed, bytes, () -> {
            assertThat(body.bytesOf(parsed)).isSameAs(bytes);
            assertThat(body.bytesOf(parsed.deepCopy())).isNull();
            return null;
        });
    }
}
