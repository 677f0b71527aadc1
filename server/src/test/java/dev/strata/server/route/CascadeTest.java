package dev.strata.server.route;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class CascadeTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode completion(String text, String finish, double... logprobs) throws Exception {
        StringBuilder lp = new StringBuilder();
        for (double l : logprobs) {
            lp.append(lp.isEmpty() ? "" : ",").append("{\"token\":\"t\",\"logprob\":").append(l).append('}');
        }
        return JSON.readTree("{\"choices\":[{\"message\":{\"content\":" + JSON.writeValueAsString(text)
                + "},\"finish_reason\":\"" + finish + "\",\"logprobs\":{\"content\":[" + lp + "]}}]}");
    }

    private static Cascade cascade(Double mean, Double min, JsonNode schema, Pattern regex, List<String> refusals,
            Set<String> finish, int minChars) {
        return new Cascade(new RoutesConfig.CascadeSpec(List.of("a", "b"), RoutesConfig.CascadeMode.FULL, mean, min, 4,
                schema, regex, refusals, finish, minChars), JSON);
    }

    @Test
    void confidenceThresholds() throws Exception {
        Cascade c = cascade(-1.0, -5.0, null, null, List.of(), Set.of(), 0);
        assertThat(c.judge(completion("ok", "stop", -0.1, -0.5)).escalate()).isFalse();
        assertThat(c.judge(completion("ok", "stop", -2, -2)).reason()).isEqualTo("mean_logprob");
        assertThat(c.judge(completion("ok", "stop", -0.01, -0.01, -0.01, -0.01, -0.01, -0.01, -0.01, -6)).reason())
                .isEqualTo("min_logprob");
        assertThat(c.judge(completion("ok", "stop")).reason()).isEqualTo("no_logprobs");
    }

    @Test
    void validatorsAndFinishRules() throws Exception {
        JsonNode schema = JSON.readTree("{\"type\":\"object\",\"required\":[\"a\"],\"properties\":{\"a\":{\"type\":\"integer\"}}}");
        Cascade json = cascade(null, null, schema, null, List.of(), Set.of(), 0);
        assertThat(json.judge(completion("{\"a\":1}", "stop")).escalate()).isFalse();
        assertThat(json.judge(completion("{\"a\":\"x\"}", "stop")).reason()).isEqualTo("json_schema");
        assertThat(json.judge(completion("nope", "stop")).reason()).isEqualTo("json_schema");
        Cascade rules = cascade(null, null, null, Pattern.compile("\\d+"), List.of("i can't help"), Set.of("length"), 2);
        assertThat(rules.judge(completion("42", "stop")).escalate()).isFalse();
        assertThat(rules.judge(completion("forty two", "stop")).reason()).isEqualTo("regex");
        assertThat(rules.judge(completion("Sorry, I can't help 1", "stop")).reason()).isEqualTo("refusal");
        assertThat(rules.judge(completion("42", "length")).reason()).isEqualTo("finish_length");
        assertThat(rules.judge(completion("4", "stop")).reason()).isEqualTo("too_short");
    }
}
