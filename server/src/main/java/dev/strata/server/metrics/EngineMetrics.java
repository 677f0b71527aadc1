package dev.strata.server.metrics;

import dev.strata.engine.generate.GenerationEvent;
import dev.strata.engine.generate.GenerationEvent.FinishReason;
import dev.strata.engine.generate.StepListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * vLLM's per-request and per-step metrics, under vLLM's names and its {@code model_name} label
 * (https://docs.vllm.ai/en/latest/design/metrics.html), so dashboards and autoscaling rules written
 * for vLLM read Strata unchanged. One engine request — one choice of an API call — counts as one
 * vLLM request, as in vLLM itself; its timings come from the engine's own clock
 * ({@link GenerationEvent.Timings}). Gauges of the engine's state are in {@link ModelGauges}.
 */
public final class EngineMetrics {
    private final MeterRegistry registry;
    private final Map<String, ModelMeters> byModel = new ConcurrentHashMap<>();

    public EngineMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** Records one engine request's end: token counts, latencies, and its finish reason. */
    public void finished(String model, GenerationEvent.Finished finished) {
        ModelMeters m = meters(model);
        GenerationEvent.Usage usage = finished.usage();
        GenerationEvent.Timings t = finished.timings();
        m.promptTokens.increment(usage.promptTokens());
        m.generationTokens.increment(usage.completionTokens());
        m.success.get(finished.reason()).increment();
        m.queueTime.record(t.queueNanos(), TimeUnit.NANOSECONDS);
        m.e2eLatency.record(t.totalNanos(), TimeUnit.NANOSECONDS);
        if (t.timeToFirstTokenNanos() > 0) {
            m.timeToFirstToken.record(t.timeToFirstTokenNanos(), TimeUnit.NANOSECONDS);
            m.prefillTime.record(Math.max(0, t.timeToFirstTokenNanos() - t.queueNanos()), TimeUnit.NANOSECONDS);
            m.decodeTime.record(Math.max(0, t.totalNanos() - t.timeToFirstTokenNanos()), TimeUnit.NANOSECONDS);
        }
    }

    /** Records the time between two consecutive tokens of one engine request. */
    public void interTokenLatency(String model, long nanos) {
        meters(model).interTokenLatency.record(nanos, TimeUnit.NANOSECONDS);
    }

    /** The listener that records {@code vllm:iteration_tokens_total} for {@code model}'s engine. */
    public StepListener steps(String model) {
        DistributionSummary tokens = meters(model).iterationTokens;
        return (numTokens, numSequences) -> tokens.record(numTokens);
    }

    private ModelMeters meters(String model) {
        return byModel.computeIfAbsent(model, this::register);
    }

    private ModelMeters register(String model) {
        Map<FinishReason, Counter> success = new EnumMap<>(FinishReason.class);
        for (FinishReason reason : FinishReason.values()) {
            success.put(reason, Counter.builder("vllm:request_success")
                    .description("Count of finished requests, by finish reason")
                    .tag("model_name", model).tag("finished_reason", vllmReason(reason)).register(registry));
        }
        return new ModelMeters(
                counter("vllm:prompt_tokens", "Prefill tokens processed", model),
                counter("vllm:generation_tokens", "Generation tokens processed", model),
                success,
                timer("vllm:time_to_first_token_seconds", "Time to first token", model, LlmBuckets.firstToken()),
                timer("vllm:inter_token_latency_seconds", "Time between consecutive tokens", model,
                        LlmBuckets.interToken()),
                timer("vllm:e2e_request_latency_seconds", "End-to-end request latency in the engine", model,
                        LlmBuckets.request()),
                timer("vllm:request_queue_time_seconds", "Time spent waiting for a sequence slot", model,
                        LlmBuckets.firstToken()),
                timer("vllm:request_prefill_time_seconds", "Time from leaving the queue to the first token", model,
                        LlmBuckets.firstToken()),
                timer("vllm:request_decode_time_seconds", "Time from the first token to the last", model,
                        LlmBuckets.request()),
                DistributionSummary.builder("vllm:iteration_tokens_total")
                        .description("Tokens per engine step").tag("model_name", model)
                        .serviceLevelObjectives(LlmBuckets.stepTokens()).register(registry));
    }

    /** vLLM's {@code finished_reason} values: {@code stop}, {@code length}, {@code abort}. */
    static String vllmReason(FinishReason reason) {
        return switch (reason) {
            case STOP -> "stop";
            case LENGTH -> "length";
            case CANCELLED -> "abort";
        };
    }

    private Counter counter(String name, String description, String model) {
        return Counter.builder(name).description(description).tag("model_name", model).register(registry);
    }

    private Timer timer(String name, String description, String model, java.time.Duration[] buckets) {
        return Timer.builder(name).description(description).tag("model_name", model)
                .serviceLevelObjectives(buckets).register(registry);
    }

    private record ModelMeters(Counter promptTokens, Counter generationTokens, Map<FinishReason, Counter> success,
            Timer timeToFirstToken, Timer interTokenLatency, Timer e2eLatency, Timer queueTime, Timer prefillTime,
            Timer decodeTime, DistributionSummary iterationTokens) {}
}
