package dev.strata.server.observe;

import dev.strata.engine.generate.GenerationEvent.FinishReason;

/** OpenAI's names for finish reasons, as request logs and spans show them. */
final class FinishReasons {
    private FinishReasons() {}

    static String finishReason(FinishReason reason) {
        return switch (reason) {
            case STOP -> "stop";
            case LENGTH -> "length";
            case CANCELLED -> "cancelled";
        };
    }
}
