package dev.strata.server.registry;

import dev.strata.server.config.ModelConfig;
import java.util.Optional;

/**
 * One configured model and, once loaded, its engine. State changes are published by the registry's
 * loading thread and read by request threads, hence volatile.
 */
public final class ServedModel {
    private final ModelConfig config;
    private volatile ModelState state = ModelState.LOADING;
    private volatile LoadedModel loaded;
    private volatile String failure;
    private volatile long loadNanos;
    private final long createdEpochSeconds;

    ServedModel(ModelConfig config, long createdEpochSeconds) {
        this.config = config;
        this.createdEpochSeconds = createdEpochSeconds;
    }

    public String id() {
        return config.id();
    }

    public ModelConfig config() {
        return config;
    }

    public ModelState state() {
        return state;
    }

    /** The engine, once loaded (also while warming up). */
    public Optional<LoadedModel> loaded() {
        return Optional.ofNullable(loaded);
    }

    /** Why loading failed, when {@link #state()} is FAILED. */
    public Optional<String> failure() {
        return Optional.ofNullable(failure);
    }

    /** Nanoseconds spent loading and warming up (0 until ready). */
    public long loadNanos() {
        return loadNanos;
    }

    public long createdEpochSeconds() {
        return createdEpochSeconds;
    }

    void loading(LoadedModel model) {
        this.loaded = model;
        this.state = ModelState.WARMING_UP;
    }

    void ready(long nanos) {
        this.loadNanos = nanos;
        this.state = ModelState.READY;
    }

    void failed(String message) {
        this.failure = message;
        this.state = ModelState.FAILED;
    }

    void closed() {
        this.state = ModelState.CLOSED;
    }
}
