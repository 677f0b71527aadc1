package dev.strata.server.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/**
 * The JSON shapes the API writes, as records serialized with snake_case names. They follow OpenAI's
 * API reference field for field (https://platform.openai.com/docs/api-reference/chat/object and
 * .../completions/object): fields OpenAI sends as {@code null} are written as {@code null}, not left
 * out, because SDKs model them as required-but-nullable. In stream chunks {@code usage} is absent
 * unless {@code stream_options.include_usage} was set, then {@code null} in every chunk but the last;
 * that field is typed {@code Object} and carries {@code NullNode} for an explicit null.
 */
final class ResponseShapes {
    private ResponseShapes() {}

    /**
     * Token counts; {@code cost_usd} (a Strata extension, from the price table) only in a stream's
     * final usage chunk, where the {@code x-strata-cost-usd} header could not be.
     */
    record Usage(int promptTokens, int completionTokens, int totalTokens,
            @JsonInclude(JsonInclude.Include.NON_NULL) Double costUsd) {
        static Usage of(int prompt, int completion) {
            return new Usage(prompt, completion, prompt + completion, null);
        }

        Usage withCostUsd(double usd) {
            return new Usage(promptTokens, completionTokens, totalTokens, usd);
        }
    }

    // ---- chat ----

    record ChatCompletion(String id, String object, long created, String model, List<ChatChoice> choices,
            Usage usage, String systemFingerprint) {}

    record ChatChoice(int index, AssistantMessage message, ChatLogprobs logprobs, String finishReason) {}

    record AssistantMessage(String role, String content, String refusal) {}

    record ChatLogprobs(List<TokenLogprob> content, String refusal) {}

    record TokenLogprob(String token, Float logprob, List<Integer> bytes, List<TopLogprob> topLogprobs) {}

    record TopLogprob(String token, Float logprob, List<Integer> bytes) {}

    record ChatChunk(String id, String object, long created, String model, String systemFingerprint,
            List<ChatChunkChoice> choices, @JsonInclude(JsonInclude.Include.NON_NULL) Object usage) {}

    record ChatChunkChoice(int index, Delta delta, ChatLogprobs logprobs, String finishReason) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Delta(String role, String content) {}

    // ---- completions ----

    record Completion(String id, String object, long created, String model, List<CompletionChoice> choices,
            @JsonInclude(JsonInclude.Include.NON_NULL) Object usage, String systemFingerprint) {}

    record CompletionChoice(String text, int index, CompletionLogprobs logprobs, String finishReason) {}

    record CompletionLogprobs(List<String> tokens, List<Float> tokenLogprobs, List<Map<String, Float>> topLogprobs,
            List<Integer> textOffset) {}

    // ---- native ----

    record GenerateResult(String id, String model, String text, String finishReason, NativeUsage usage,
            NativeTimings timings) {}

    record NativeUsage(int inputTokens, int outputTokens) {}

    /**
     * The engine's timings in milliseconds from submission: queue, first token, whole generation, and
     * the inter-token latencies (one fewer than the tokens).
     */
    record NativeTimings(double queueMs, double ttftMs, double totalMs, List<Double> itlMs) {
        static NativeTimings of(dev.strata.engine.generate.GenerationEvent.Timings t) {
            long[] gaps = t.interTokenNanos();
            List<Double> itl = new java.util.ArrayList<>(gaps.length);
            for (long gap : gaps) {
                itl.add(gap / 1e6);
            }
            return new NativeTimings(t.queueNanos() / 1e6, t.timeToFirstTokenNanos() / 1e6, t.totalNanos() / 1e6,
                    itl);
        }
    }

    record TokenEvent(String type, String token) {}

    record DoneEvent(String type, String finishReason, NativeUsage usage, NativeTimings timings) {}

    record ErrorEvent(String type, ErrorDetail error) {}

    // ---- models, health, errors ----

    record ModelList(String object, List<ModelCard> data) {}

    record ModelCard(String id, String object, long created, String ownedBy, String state, Integer contextLength,
            String quantization, String architecture, Long parameterCount, Double loadSeconds) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Health(String status, String reason) {}

    record Version(String version, String java) {}

    record ErrorBody(ErrorDetail error) {}

    record ErrorDetail(String message, String type, String param, String code) {}
}
