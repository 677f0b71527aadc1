package dev.strata.server.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonLogTest {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final Clock clock = Clock.fixed(Instant.parse("2026-11-23T12:00:00Z"), ZoneOffset.UTC);

    private JsonLog log(LogLevel threshold) {
        return new JsonLog(new PrintStream(bytes, true, StandardCharsets.UTF_8), threshold, clock);
    }

    @Test
    void writesOneOrderedLineLeavingNullsOut() {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("status", 200);
        fields.put("model", null);
        fields.put("note", "a \"quoted\"\nline");
        log(LogLevel.INFO).log(LogLevel.INFO, "request", fields);
        assertThat(bytes.toString(StandardCharsets.UTF_8)).isEqualTo("{\"ts\":\"2026-11-23T12:00:00Z\","
                + "\"level\":\"info\",\"event\":\"request\",\"status\":200,\"note\":\"a \\\"quoted\\\"\\nline\"}"
                + System.lineSeparator());
    }

    @Test
    void levelsBelowTheThresholdAndOffAreDropped() {
        JsonLog warn = log(LogLevel.WARN);
        warn.log(LogLevel.INFO, "request", Map.of());
        assertThat(bytes.size()).isZero();
        warn.log(LogLevel.ERROR, "request", Map.of());
        assertThat(bytes.size()).isPositive();
        assertThat(log(LogLevel.OFF).enabled(LogLevel.ERROR)).isFalse();
        assertThat(LogLevel.parse(" Debug ")).isEqualTo(LogLevel.DEBUG);
    }
}
