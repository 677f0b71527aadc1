package dev.strata.server.registry;

import dev.strata.engine.EngineException;
import dev.strata.engine.generate.Engine;
import dev.strata.engine.generate.GenerationEvent;
import dev.strata.engine.generate.GenerationRequest;
import dev.strata.engine.generate.StepListener;
import dev.strata.engine.generate.TokenStream;
import dev.strata.engine.sample.SamplingParams;
import dev.strata.server.config.ModelConfig;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * The models this server serves, by id. {@link #loadAll} loads each model and runs one warm-up
 * generation (a single greedy token) so the first client does not pay for class loading and JIT;
 * readiness ({@link #notReadyReason}) turns true only after every model got there.
 */
public final class ModelRegistry implements AutoCloseable {
    private final Map<String, ServedModel> models = new LinkedHashMap<>();
    private final ModelLoader loader;
    private final LongSupplier nanoTime;
    private final Function<String, StepListener> stepListeners;

    public ModelRegistry(List<ModelConfig> configs, ModelLoader loader, Clock clock, LongSupplier nanoTime) {
        this(configs, loader, clock, nanoTime, id -> StepListener.NONE);
    }

    /** @param stepListeners the listener for each model id's engine steps (metrics) */
    public ModelRegistry(List<ModelConfig> configs, ModelLoader loader, Clock clock, LongSupplier nanoTime,
            Function<String, StepListener> stepListeners) {
        this.stepListeners = stepListeners;
        this.loader = loader;
        this.nanoTime = nanoTime;
        long now = clock.instant().getEpochSecond();
        for (ModelConfig c : configs) {
            models.put(c.id(), new ServedModel(c, now));
        }
    }

    /**
     * Loads and warms up every model, in order, on the calling thread.
     *
     * @throws EngineException from the first model that cannot be loaded (it is marked FAILED)
     */
    public void loadAll() {
        for (ServedModel m : models.values()) {
            long start = nanoTime.getAsLong();
            try {
                LoadedModel loaded = loader.load(m.config(), stepListeners.apply(m.id()));
                m.loading(loaded);
                warmUp(loaded.engine());
                m.ready(nanoTime.getAsLong() - start);
            } catch (RuntimeException e) {
                m.failed(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
                throw e;
            }
        }
    }

    private static void warmUp(Engine engine) {
        int bos = engine.tokenizer().bosId();
        int[] prompt = {bos >= 0 ? bos : 0};
        TokenStream stream = engine.submit(GenerationRequest.of("warmup", prompt, SamplingParams.GREEDY, 1));
        try {
            GenerationEvent e;
            do {
                e = stream.next();
            } while (!e.isTerminal());
            if (e instanceof GenerationEvent.Failed f) {
                throw f.error();
            }
        } catch (InterruptedException ie) {
            stream.cancel();
            Thread.currentThread().interrupt();
            throw new EngineException.Unsupported("interrupted while warming up");
        }
    }

    public Optional<ServedModel> find(String id) {
        return Optional.ofNullable(models.get(id));
    }

    public List<ServedModel> all() {
        return List.copyOf(models.values());
    }

    /** Empty when every model is ready; else why not (first model that is not). */
    public Optional<String> notReadyReason() {
        for (ServedModel m : models.values()) {
            if (m.state() != ModelState.READY) {
                return Optional.of("model " + m.id() + " is " + m.state().apiName()
                        + m.failure().map(f -> ": " + f).orElse(""));
            }
        }
        return Optional.empty();
    }

    /** Closes every engine; their open streams end as cancelled. */
    @Override
    public void close() {
        for (ServedModel m : models.values()) {
            m.loaded().ifPresent(l -> l.engine().close());
            m.closed();
        }
    }
}
