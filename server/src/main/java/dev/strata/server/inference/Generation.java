package dev.strata.server.inference;

import dev.strata.engine.generate.GenerationEvent;
import dev.strata.engine.generate.ModelInfo;
import dev.strata.engine.generate.TokenStream;
import dev.strata.engine.tokenizer.Tokenizer;
import dev.strata.server.admit.Decision.Permit;
import dev.strata.server.audit.CallRecord;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;

/**
 * The running choices of one call. {@link #next} merges the choices' event streams into one, in
 * arrival order, so a front end can stream {@code n > 1} choices as they are produced; with one
 * choice it reads the engine's stream directly. Single consumer; {@link #cancel} may be called from
 * any thread (a disconnect listener). {@link #close} cancels what is still running and gives the
 * admission permit back.
 */
public final class Generation implements AutoCloseable {
    private final String id;
    private final String model;
    private final ModelInfo modelInfo;
    private final Tokenizer tokenizer;
    private final List<TokenStream> streams;
    private final int[] promptTokenCounts;
    private final Permit permit;
    private final ThreadFactory pumpThreads;
    private final long submittedNanos;
    private final CallRecord record;
    private int completionTokens;
    private InferenceListener.CallListener listener = InferenceListener.CallListener.NONE;
    private boolean closed;
    private BlockingQueue<ChoiceEvent> merged;
    private int open;

    // Nine parameters: built only by InferenceService, which has each of them at hand; a parameter
    // object would only move the list.
    Generation(String id, String model, ModelInfo modelInfo, Tokenizer tokenizer, List<TokenStream> streams,
            int[] promptTokenCounts, Permit permit, ThreadFactory pumpThreads, long submittedNanos,
            CallRecord record) {
        this.id = id;
        this.model = model;
        this.modelInfo = modelInfo;
        this.tokenizer = tokenizer;
        this.streams = List.copyOf(streams);
        this.promptTokenCounts = promptTokenCounts.clone();
        this.permit = permit;
        this.pumpThreads = pumpThreads;
        this.submittedNanos = submittedNanos;
        this.record = record;
        this.open = streams.size();
    }

    /** Set once, by the service, before the generation is handed out. */
    void listen(InferenceListener.CallListener callListener) {
        this.listener = callListener;
    }

    public String id() {
        return id;
    }

    /** The model id the client asked for. */
    public String model() {
        return model;
    }

    public ModelInfo modelInfo() {
        return modelInfo;
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    public int choiceCount() {
        return streams.size();
    }

    /** Prompt tokens of the call, each prompt counted once however many choices it has. */
    public int promptTokens() {
        int sum = 0;
        for (int c : promptTokenCounts) {
            sum += c;
        }
        return sum;
    }

    /** {@link System#nanoTime()}-scale instant at which the engine requests were submitted. */
    public long submittedNanos() {
        return submittedNanos;
    }

    /** True once every choice delivered its terminal event. */
    public boolean done() {
        return open == 0;
    }

    /**
     * The next event of any choice, waiting as needed.
     *
     * @throws IllegalStateException when called after {@link #done()}
     */
    public ChoiceEvent next() throws InterruptedException {
        if (open == 0) {
            throw new IllegalStateException("generation " + id + " is done");
        }
        ChoiceEvent event;
        if (streams.size() == 1) {
            event = new ChoiceEvent(0, streams.getFirst().next());
        } else {
            if (merged == null) {
                startPumps();
            }
            event = merged.take();
        }
        switch (event.event()) {
            case GenerationEvent.Token t -> record.output(t.text());
            case GenerationEvent.Finished f -> completionTokens += f.usage().completionTokens();
            case GenerationEvent.Failed f -> { }
        }
        if (event.event().isTerminal()) {
            open--;
        }
        listener.onEvent(event);
        return event;
    }

    private void startPumps() {
        merged = new LinkedBlockingQueue<>();
        for (int i = 0; i < streams.size(); i++) {
            int index = i;
            TokenStream stream = streams.get(i);
            pumpThreads.newThread(() -> {
                try {
                    GenerationEvent e;
                    do {
                        e = stream.next();
                        merged.add(new ChoiceEvent(index, e));
                    } while (!e.isTerminal());
                } catch (InterruptedException ie) {
                    stream.cancel();
                    merged.add(new ChoiceEvent(index, new GenerationEvent.Finished(
                            GenerationEvent.FinishReason.CANCELLED, new GenerationEvent.Usage(0, 0, 0),
                            new GenerationEvent.Timings(0, 0, 0))));
                }
            }).start();
        }
    }

    /** Cancels every choice; each then ends with a CANCELLED finish. Idempotent, any thread. */
    public void cancel() {
        streams.forEach(TokenStream::cancel);
    }

    @Override
    public void close() {
        if (open > 0) {
            cancel();
        }
        if (closed) {
            return;
        }
        closed = true;
        record.completed(completionTokens);
        try {
            permit.settle(promptTokens(), completionTokens);
        } finally {
            permit.close();
            listener.closed();
        }
    }
}
