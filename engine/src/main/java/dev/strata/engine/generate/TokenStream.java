package dev.strata.engine.generate;

import java.util.concurrent.TimeUnit;

/**
 * The events of one submitted request, in order: zero or more {@link GenerationEvent.Token}s, then
 * one terminal event. Single consumer. Blocking reads are meant for virtual threads.
 */
public interface TokenStream {

    String requestId();

    /** The next event, waiting as long as needed; after the terminal event, returns it again. */
    GenerationEvent next() throws InterruptedException;

    /** The next event, or null if none arrived within {@code timeout}. */
    GenerationEvent poll(long timeout, TimeUnit unit) throws InterruptedException;

    /**
     * Stops the generation: it leaves the engine at its next step and its memory is freed; the
     * stream then ends with {@link GenerationEvent.FinishReason#CANCELLED}. Idempotent.
     */
    void cancel();
}
