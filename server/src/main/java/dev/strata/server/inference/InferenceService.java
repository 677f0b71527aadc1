package dev.strata.server.inference;

import dev.strata.engine.EngineException;
import dev.strata.engine.generate.Engine;
import dev.strata.engine.generate.GenerationRequest;
import dev.strata.engine.generate.ModelInfo;
import dev.strata.engine.generate.TokenStream;
import dev.strata.engine.sample.SamplingParams;
import dev.strata.engine.tokenizer.Tokenizer;
import dev.strata.server.GatewayException;
import dev.strata.server.admit.Admission;
import dev.strata.server.admit.AdmissionRequest;
import dev.strata.server.admit.Decision;
import dev.strata.server.audit.CallRecord;
import dev.strata.server.auth.Caller;
import dev.strata.server.config.SamplingDefaults;
import dev.strata.server.registry.LoadedModel;
import dev.strata.server.registry.ModelRegistry;
import dev.strata.server.registry.ModelState;
import dev.strata.server.registry.ServedModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadFactory;
import java.util.function.LongSupplier;

/**
 * Starts generations: model lookup (404), readiness (503), prompt rendering and tokenization,
 * context checks (400), admission (429), then one engine request per choice. Everything that can
 * reject a call happens before the first engine request is submitted.
 */
public final class InferenceService {
    private final ModelRegistry registry;
    private final Admission admission;
    private final int retryAfterSeconds;
    private final ThreadFactory pumpThreads;
    private final LongSupplier nanoTime;
    private final InferenceListener listener;

    public InferenceService(ModelRegistry registry, Admission admission, int retryAfterSeconds,
            ThreadFactory pumpThreads, LongSupplier nanoTime) {
        this(registry, admission, retryAfterSeconds, pumpThreads, nanoTime, InferenceListener.NONE);
    }

    /** @param listener hears each started call's events and each admission reject (metrics, traces, logs) */
    public InferenceService(ModelRegistry registry, Admission admission, int retryAfterSeconds,
            ThreadFactory pumpThreads, LongSupplier nanoTime, InferenceListener listener) {
        this.listener = listener;
        this.registry = registry;
        this.admission = admission;
        this.retryAfterSeconds = retryAfterSeconds;
        this.pumpThreads = pumpThreads;
        this.nanoTime = nanoTime;
    }

    /**
     * Validates {@code call} against its model and submits it.
     *
     * @param id the call's id, used for the engine request ids ({@code id-0}, {@code id-1}, ...)
     * @throws GatewayException  for an unknown model, bad prompt, missing capacity
     * @throws EngineException   when the engine refuses the request
     */
    public Generation start(String id, InferenceCall call) {
        return start(id, call, CallRecord.unaudited(Caller.ANONYMOUS));
    }

    /**
     * As {@link #start(String, InferenceCall)}, admitted for {@code record}'s caller (tenant limits,
     * fair queue) and recorded there for the audit log.
     */
    public Generation start(String id, InferenceCall call, CallRecord record) {
        return start(id, call, record, true);
    }

    private Generation start(String id, InferenceCall call, CallRecord record, boolean mayDowngrade) {
        long entered = nanoTime.getAsLong();
        ServedModel served = registry.find(call.model()).orElseThrow(() -> new GatewayException.NotFound(
                "The model `" + call.model() + "` does not exist", "model", "model_not_found"));
        LoadedModel loaded = served.loaded().filter(l -> served.state() == ModelState.READY)
                .orElseThrow(() -> new GatewayException.Unavailable("model " + served.id() + " is not ready ("
                        + served.state().apiName() + ")", retryAfterSeconds));
        Engine engine = loaded.engine();
        Tokenizer tokenizer = engine.tokenizer();
        ModelInfo info = engine.modelInfo();

        List<int[]> prompts = tokenize(call.prompt(), loaded, tokenizer);
        int[] maxTokens = maxTokens(call, prompts, info.contextLength(), served.config().sampling());
        SamplingParams sampling = sampling(call.sampling(), served.config().sampling(), tokenizer.vocabSize());

        int promptTokens = prompts.stream().mapToInt(t -> t.length).sum();
        long maxGenerated = 0;
        for (int m : maxTokens) {
            maxGenerated += (long) m * call.n();
        }
        record.prompt(PromptText.canonical(call.prompt()), promptTokens);
        Decision decision = admission.admit(new AdmissionRequest(record.caller(), served.id(), promptTokens,
                call.maxTokens() == null ? 0 : maxGenerated, call.priority()));
        if (decision instanceof Decision.Downgraded d && mayDowngrade) {
            return start(id, new InferenceCall(d.model(), call.prompt(), call.maxTokens(), call.sampling(), call.n(),
                    call.stop(), call.topLogprobs(), call.ignoreEos(), call.priority()), record, false);
        }
        int priority = call.priority();
        Decision.Permit permit = switch (decision) {
            case Decision.Admitted a -> {
                priority = a.priority(); // capped to what the tenant may use
                yield a.permit();
            }
            case Decision.Rejected r -> {
                listener.rejected(served.id(), r.reason());
                throw new GatewayException.Overloaded(r.reason(), r.retryAfterSeconds());
            }
            case Decision.Unavailable u -> {
                listener.rejected(served.id(), u.reason());
                throw new GatewayException.Unavailable(u.reason(), u.retryAfterSeconds());
            }
            case Decision.Forbidden f -> throw new GatewayException.Forbidden(f.reason(), "model_not_allowed");
            case Decision.Invalid i -> throw new GatewayException.InvalidRequest(i.reason(), i.param(), "invalid_value");
            case Decision.Downgraded d -> {
                listener.rejected(served.id(), d.reason());
                throw new GatewayException.Overloaded(d.reason(), retryAfterSeconds);
            }
        };
        long admitted = nanoTime.getAsLong();
        record.admitted(served.id(), permit.queuedNanos());
        List<TokenStream> streams = new ArrayList<>(call.choiceCount());
        long submitted = nanoTime.getAsLong();
        try {
            for (int p = 0; p < prompts.size(); p++) {
                for (int c = 0; c < call.n(); c++) {
                    SamplingParams choiceSampling = sampling.seed() == null || c == 0
                            ? sampling : sampling.toBuilder().seed(sampling.seed() + c).build();
                    streams.add(engine.submit(new GenerationRequest(id + "-" + streams.size(), prompts.get(p),
                            choiceSampling, maxTokens[p], call.stop(), call.ignoreEos(), priority,
                            call.topLogprobs())));
                }
            }
        } catch (RuntimeException e) {
            streams.forEach(TokenStream::cancel);
            permit.close();
            throw e;
        }
        int[] counts = prompts.stream().mapToInt(t -> t.length).toArray();
        Generation generation = new Generation(id, served.id(), info, tokenizer, streams, counts, permit, pumpThreads,
                submitted, record);
        generation.listen(listener.started(new InferenceListener.CallStarted(id, served.id(), call,
                generation.promptTokens(), entered, admitted, submitted,
                record.caller().tenant() == null ? null : record.caller().tenant().name())));
        return generation;
    }

    /**
     * Opens a request that arrived over gRPC or WebSocket, so the calls it {@link ObservedRequest#within
     * starts} are traced and counted like an HTTP request's; see {@link InferenceListener#open}.
     */
    public ObservedRequest observe(String name, String transport,
            java.util.function.Function<String, String> headers) {
        return listener.open(name, transport, headers);
    }

    private static List<int[]> tokenize(Prompt prompt, LoadedModel loaded, Tokenizer tokenizer) {
        List<int[]> out = switch (prompt) {
            case Prompt.Texts t -> t.texts().stream().map(s -> tokenizer.encode(s, true, false)).toList();
            case Prompt.Tokens t -> {
                for (int[] ids : t.prompts()) {
                    for (int tokenId : ids) {
                        if (tokenId < 0 || tokenId >= tokenizer.vocabSize()) {
                            throw new GatewayException.InvalidRequest("token id " + tokenId
                                    + " is outside the vocabulary [0, " + tokenizer.vocabSize() + ")", "prompt",
                                    "invalid_value");
                        }
                    }
                }
                yield t.prompts();
            }
            case Prompt.Chat c -> List.of(withSingleBos(
                    tokenizer.encode(loaded.chatFormatter().render(c.messages()), true, true), tokenizer.bosId()));
        };
        for (int[] ids : out) {
            if (ids.length == 0) {
                throw new GatewayException.InvalidRequest("prompt must not be empty", "prompt", "invalid_value");
            }
        }
        return out;
    }

    /** Templates usually write BOS themselves; encoding with special tokens added then doubles it. */
    private static int[] withSingleBos(int[] ids, int bos) {
        if (bos >= 0 && ids.length >= 2 && ids[0] == bos && ids[1] == bos) {
            return java.util.Arrays.copyOfRange(ids, 1, ids.length);
        }
        return ids;
    }

    private static int[] maxTokens(InferenceCall call, List<int[]> prompts, int context, SamplingDefaults defaults) {
        Integer asked = call.maxTokens();
        if (asked != null && asked > context) {
            throw new GatewayException.InvalidRequest("max_tokens is too large: " + asked
                    + ". This model's maximum context length is " + context + " tokens", "max_tokens",
                    "invalid_value");
        }
        int[] out = new int[prompts.size()];
        for (int i = 0; i < out.length; i++) {
            int promptLength = prompts.get(i).length;
            int room = context - promptLength;
            if (room <= 0 || (asked != null && asked > room)) {
                throw new GatewayException.InvalidRequest("This model's maximum context length is " + context
                        + " tokens. However, you requested " + (promptLength + (asked == null ? 0 : asked))
                        + " tokens (" + promptLength + " in the prompt, " + (asked == null ? 0 : asked)
                        + " in the completion). Please reduce the length of the prompt or completion.",
                        call.prompt() instanceof Prompt.Chat ? "messages" : "prompt", "context_length_exceeded");
            }
            out[i] = asked != null ? asked : defaults.maxTokens() != null ? Math.min(defaults.maxTokens(), room) : room;
        }
        return out;
    }

    private static SamplingParams sampling(SamplingOverrides o, SamplingDefaults d, int vocabSize) {
        for (Map.Entry<Integer, Float> e : o.logitBias().entrySet()) {
            if (e.getKey() < 0 || e.getKey() >= vocabSize) {
                throw new GatewayException.InvalidRequest("logit_bias token id " + e.getKey()
                        + " is outside the vocabulary [0, " + vocabSize + ")", "logit_bias", "invalid_value");
            }
        }
        SamplingParams.Builder b = SamplingParams.builder()
                .temperature(first(o.temperature(), d.temperature(), 1f))
                .topP(first(o.topP(), d.topP(), 1f))
                .topK(first(o.topK(), d.topK(), 0))
                .minP(first(o.minP(), d.minP(), 0f))
                .repetitionPenalty(first(o.repetitionPenalty(), d.repetitionPenalty(), 1f))
                .frequencyPenalty(first(o.frequencyPenalty(), null, 0f))
                .presencePenalty(first(o.presencePenalty(), null, 0f))
                .logitBias(o.logitBias())
                .seed(o.seed());
        try {
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new GatewayException.InvalidRequest(e.getMessage(), null, "invalid_value");
        }
    }

    private static <T> T first(T asked, T configured, T fallback) {
        return asked != null ? asked : configured != null ? configured : fallback;
    }
}
