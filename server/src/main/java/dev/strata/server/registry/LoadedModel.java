package dev.strata.server.registry;

import dev.strata.engine.generate.Engine;
import dev.strata.server.chat.ChatFormatter;
import java.util.Objects;

/** A running engine and the formatter for its chat prompts. */
public record LoadedModel(Engine engine, ChatFormatter chatFormatter) {
    public LoadedModel {
        Objects.requireNonNull(engine, "engine");
        Objects.requireNonNull(chatFormatter, "chatFormatter");
    }
}
