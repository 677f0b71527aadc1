package dev.strata.server.inference;

import dev.strata.engine.generate.GenerationEvent;

/** An engine event for choice {@code index} of a {@link Generation}. */
public record ChoiceEvent(int index, GenerationEvent event) {}
