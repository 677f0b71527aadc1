package dev.strata.server.log;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.PrintStream;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes log events as JSON lines: {@code {"ts":"...","level":"info","event":"request",...}} — the
 * timestamp, level and event name first, then the event's fields in the order given. A line is
 * written whole with one call, so lines of concurrent requests never interleave. Callers decide
 * what goes in a line; this class never adds request content by itself.
 */
public final class JsonLog {
    private final PrintStream out;
    private final LogLevel threshold;
    private final Clock clock;
    private final ObjectMapper json = new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

    public JsonLog(PrintStream out, LogLevel threshold, Clock clock) {
        this.out = out;
        this.threshold = threshold;
        this.clock = clock;
    }

    /** Whether lines at {@code level} are written (skip building fields when not). */
    public boolean enabled(LogLevel level) {
        return level != LogLevel.OFF && threshold != LogLevel.OFF && level.compareTo(threshold) >= 0;
    }

    /** Writes one line, if {@code level} is enabled. Null-valued fields are left out. */
    public void log(LogLevel level, String event, Map<String, ?> fields) {
        if (!enabled(level)) {
            return;
        }
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("ts", clock.instant().toString());
        line.put("level", level.jsonName());
        line.put("event", event);
        fields.forEach((k, v) -> {
            if (v != null) {
                line.put(k, v);
            }
        });
        String text;
        try {
            text = json.writeValueAsString(line);
        } catch (JsonProcessingException e) {
            text = "{\"ts\":\"" + clock.instant() + "\",\"level\":\"error\",\"event\":\"log_failed\",\"for\":\""
                    + event.replace("\"", "'") + "\"}";
        }
        out.println(text);
    }
}
