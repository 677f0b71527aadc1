package dev.strata.bench.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.bench.gateway.GatewayOverheadBenchmark.Run;
import dev.strata.bench.gateway.OverheadTable.GatewayRow;
import dev.strata.bench.gateway.OverheadTable.RateRow;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** The max-sustained rule of issue 9 and the JSON shape of {@code ./strata bench gateway --json}. */
class OverheadTableTest {
    private static Run run(int rate, double achieved, long p50, long p99, int errors) {
        return new Run(rate, rate * 5, achieved, p50, p99, errors);
    }

    private static GatewayRow proc(Run r) {
        return new GatewayRow(r, OptionalDouble.of(123.4), OptionalLong.of(100L << 20));
    }

    private static RateRow row(int rate, Run strata, Run portkey) {
        return new RateRow(rate, run(rate, rate, 100, 200, 0), Map.of("strata", proc(strata), "portkey", proc(portkey)),
                OptionalDouble.of(55.5));
    }

    private static OverheadTable table() {
        return new OverheadTable(List.of("strata", "portkey"), List.of(
                row(200, run(200, 200, 150, 400, 0), run(200, 200, 3_100, 90_200, 0)),
                row(500, run(500, 499, 160, 500, 0), run(500, 470, 9_000, 200_000, 0)),
                // achieved 98.9 % of offered: not sustained, although the latency is fine
                row(1000, run(1000, 989, 170, 900, 0), run(1000, 400, 500_000, 900_000, 3_000)),
                // added p99 exactly 10 ms: not sustained (must be below)
                row(2000, run(2000, 2000, 300, 10_200, 0), run(2000, 0, 0, 0, 10_000)),
                row(5000, run(5000, 4990, 400, 9_000, 0), run(5000, 0, 0, 0, 25_000))));
    }

    @Test
    void maxSustainedIsTheHighestRateWithEnoughThroughputAndAddedP99Under10Ms() {
        OverheadTable t = table();
        assertThat(t.rows().get(1).sustained("strata")).isTrue();
        assertThat(t.rows().get(2).sustained("strata")).isFalse();
        assertThat(t.rows().get(3).sustained("strata")).isFalse();
        assertThat(t.maxSustained("strata")).hasValue(5000); // the highest passing rate, even above failures
        assertThat(t.rows().get(0).sustained("portkey")).isFalse(); // 90 ms added p99
        assertThat(t.maxSustained("portkey")).isEmpty();
    }

    /** With the relay peer: its own JSON object and max_sustained entry, and Strata's part above it printed. */
    @Test
    void theRelayFloorIsAPeerLikeTheOthersAndStrataAboveItIsPrinted() {
        Run direct = run(200, 200, 100, 200, 0);
        RateRow row = new RateRow(200, direct, Map.of("strata", proc(run(200, 200, 400, 1_200, 0)),
                "relay", proc(run(200, 200, 330, 900, 0))), OptionalDouble.empty());
        OverheadTable t = new OverheadTable(List.of("strata", "relay"), List.of(row));
        ObjectMapper mapper = new ObjectMapper();
        JsonNode json = mapper.valueToTree(t.toJson(mapper));
        assertThat(json.get("rates").get(0).get("relay").get("added_p50_us").asLong()).isEqualTo(230);
        assertThat(json.get("max_sustained").get("relay").asInt()).isEqualTo(200);
        assertThat(OverheadTable.aboveFloor(row, RateRow::addedP50Micros)).hasValue(70);
        assertThat(OverheadTable.aboveFloor(row, RateRow::addedP99Micros)).hasValue(300);
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        t.print(new PrintStream(text, true, StandardCharsets.UTF_8));
        assertThat(text.toString(StandardCharsets.UTF_8))
                .contains("strata above the relay floor at 200 req/s: p50 +70 µs, p99 300 µs");
    }

    @Test
    void aGatewayThatAnsweredNothingHasNoAddedLatency() {
        RateRow r = table().rows().get(4);
        assertThat(r.addedP50Micros("portkey")).isEmpty();
        assertThat(r.sustained("portkey")).isFalse();
        assertThat(r.addedP50Micros("strata")).hasValue(300);
    }

    @Test
    void jsonHasTheShapeTheIssueAsksFor() {
        ObjectMapper mapper = new ObjectMapper();
        JsonNode json = mapper.valueToTree(table().toJson(mapper));
        assertThat(json.get("rates")).hasSize(5);
        JsonNode first = json.get("rates").get(0);
        assertThat(first.get("rate").asInt()).isEqualTo(200);
        assertThat(first.get("direct").get("p50_us").asLong()).isEqualTo(100);
        assertThat(first.get("direct").get("harness_cpu_us_per_request").asDouble()).isEqualTo(55.5);
        JsonNode strata = first.get("strata");
        assertThat(strata.get("added_p50_us").asLong()).isEqualTo(50);
        assertThat(strata.get("added_p99_us").asLong()).isEqualTo(200);
        assertThat(strata.get("achieved_rps").asDouble()).isEqualTo(200.0);
        assertThat(strata.get("errors").asInt()).isZero();
        assertThat(strata.get("cpu_us_per_request").asDouble()).isEqualTo(123.4);
        assertThat(strata.get("rss_bytes").asLong()).isEqualTo(100L << 20);
        assertThat(first.get("portkey").get("added_p50_us").asLong()).isEqualTo(3_000);
        assertThat(json.get("rates").get(4).get("portkey").get("added_p50_us").isNull()).isTrue();
        assertThat(json.get("max_sustained").get("strata").asInt()).isEqualTo(5000);
        assertThat(json.get("max_sustained").get("portkey").isNull()).isTrue();
    }

    @Test
    void textPrintsTheTableAndTheRatioAt200() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        table().print(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertThat(text).contains("portkey / strata: 60.0x (3000 / 50 µs");
        assertThat(text).contains("max sustained (achieved >= 99 % of offered, added p99 < 10 ms): strata 5000 req/s");
    }
}
