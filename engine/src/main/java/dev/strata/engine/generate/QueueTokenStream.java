package dev.strata.engine.generate;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A {@link TokenStream} fed by the engine loop through a queue; read by one consumer. */
final class QueueTokenStream implements TokenStream {
    private final String requestId;
    private final LinkedBlockingQueue<GenerationEvent> events = new LinkedBlockingQueue<>();
    private volatile boolean cancelled;
    private volatile GenerationEvent terminal;
    /** Terminal events published (must end at exactly 1; checked by tests). */
    private volatile int numTerminal;

    QueueTokenStream(String requestId) {
        this.requestId = requestId;
    }

    @Override
    public String requestId() {
        return requestId;
    }

    @Override
    public GenerationEvent next() throws InterruptedException {
        GenerationEvent seen = terminal;
        if (seen != null && events.isEmpty()) {
            return seen;
        }
        return events.take();
    }

    @Override
    public GenerationEvent poll(long timeout, TimeUnit unit) throws InterruptedException {
        GenerationEvent seen = terminal;
        if (seen != null && events.isEmpty()) {
            return seen;
        }
        return events.poll(timeout, unit);
    }

    @Override
    public void cancel() {
        cancelled = true;
    }

    boolean isCancelled() {
        return cancelled;
    }

    /** Called by the engine loop only; the terminal event is the last one it publishes. */
    void publish(GenerationEvent event) {
        if (event.isTerminal()) {
            numTerminal++;
            terminal = event;
        }
        events.add(event);
    }

    int numTerminal() {
        return numTerminal;
    }

    boolean isDone() {
        return terminal != null;
    }
}
