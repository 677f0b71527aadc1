package dev.strata.server.route;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.server.backend.Answers;
import dev.strata.server.route.RoutesConfig.CascadeSpec;
import java.io.IOException;
import java.util.Locale;

/**
 * Decides whether a cheaper tier's answer is good enough or the call escalates to the next tier
 * (FrugalGPT, Chen et al. 2023: a cascade with a scorer). Rules, each optional: mean and minimum
 * token log-probability (OpenAI {@code logprobs.content[].logprob}), a JSON schema the answer must
 * parse into, a regex it must match, refusal phrases it must not contain, finish reasons that
 * escalate ({@code length}), a minimum length. The early mode judges only the confidence of the first
 * K tokens, before anything is streamed.
 */
final class Cascade {
    /** Accept, or escalate for a reason that goes into {@code x-strata-route}. */
    record Verdict(boolean escalate, String reason) {
        static final Verdict ACCEPT = new Verdict(false, null);

        static Verdict escalate(String reason) {
            return new Verdict(true, reason);
        }
    }

    private final CascadeSpec spec;
    private final ObjectMapper json;

    Cascade(CascadeSpec spec, ObjectMapper json) {
        this.spec = spec;
        this.json = json;
    }

    CascadeSpec spec() {
        return spec;
    }

    /** Whether the tiers must be asked for logprobs. */
    boolean needsLogprobs() {
        return spec.minMeanLogprob() != null || spec.minTokenLogprob() != null;
    }

    /** Judges a whole {@code chat.completion}. */
    Verdict judge(JsonNode completion) {
        Verdict confidence = confidence(completion.path("choices").path(0).path("logprobs").path("content"));
        if (confidence.escalate()) {
            return confidence;
        }
        String text = Answers.text(completion);
        String finish = completion.path("choices").path(0).path("finish_reason").asText("");
        if (spec.escalateFinish().contains(finish)) {
            return Verdict.escalate("finish_" + finish);
        }
        if (text.strip().length() < spec.minChars()) {
            return Verdict.escalate("too_short");
        }
        String lower = text.toLowerCase(Locale.ROOT);
        for (String refusal : spec.refusals()) {
            if (lower.contains(refusal)) {
                return Verdict.escalate("refusal");
            }
        }
        if (spec.regex() != null && !spec.regex().matcher(text).find()) {
            return Verdict.escalate("regex");
        }
        if (spec.jsonSchema() != null) {
            try {
                JsonNode parsed = json.readTree(text);
                if (parsed == null || JsonShape.violation(spec.jsonSchema(), parsed, "$") != null) {
                    return Verdict.escalate("json_schema");
                }
            } catch (IOException e) {
                return Verdict.escalate("json_schema");
            }
        }
        return Verdict.ACCEPT;
    }

    /** Judges token logprobs ({@code [{"token","logprob"},…]}) against the thresholds. */
    Verdict confidence(JsonNode tokens) {
        if (!needsLogprobs()) {
            return Verdict.ACCEPT;
        }
        int n = 0;
        double sum = 0;
        double min = 0;
        for (JsonNode t : tokens) {
            double lp = t.path("logprob").asDouble(0);
            sum += lp;
            min = n == 0 ? lp : Math.min(min, lp);
            n++;
        }
        if (n == 0) {
            return Verdict.escalate("no_logprobs");
        }
        if (spec.minMeanLogprob() != null && sum / n < spec.minMeanLogprob()) {
            return Verdict.escalate("mean_logprob");
        }
        if (spec.minTokenLogprob() != null && min < spec.minTokenLogprob()) {
            return Verdict.escalate("min_logprob");
        }
        return Verdict.ACCEPT;
    }
}
