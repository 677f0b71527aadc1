package dev.strata.engine.template;

import java.time.Clock;
import java.util.Objects;

/**
 * The fixed inputs of a compiled template: the vocabulary's BOS and EOS token strings (bound as
 * {@code bos_token}/{@code eos_token}; empty when the model has none) and the clock
 * {@code strftime_now} reads (tests pass a fixed one).
 */
public record TemplateOptions(String bosToken, String eosToken, Clock clock) {

    public TemplateOptions {
        Objects.requireNonNull(bosToken, "bosToken");
        Objects.requireNonNull(eosToken, "eosToken");
        Objects.requireNonNull(clock, "clock");
    }

    public static TemplateOptions of(String bosToken, String eosToken) {
        return new TemplateOptions(bosToken, eosToken, Clock.systemDefaultZone());
    }
}
