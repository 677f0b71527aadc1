package dev.strata.server.grpc;

import dev.strata.engine.generate.GenerationEvent;
import dev.strata.engine.generate.ModelInfo;
import dev.strata.server.GatewayException.InvalidRequest;
import dev.strata.server.api.ErrorMapper;
import dev.strata.server.audit.Auditor;
import dev.strata.server.audit.CallRecord;
import dev.strata.server.inference.ChoiceEvent;
import dev.strata.server.inference.Generation;
import dev.strata.server.inference.InferenceCall;
import dev.strata.server.inference.InferenceService;
import dev.strata.server.inference.Prompt;
import dev.strata.server.inference.SamplingOverrides;
import dev.strata.server.grpc.proto.ChatMessage;
import dev.strata.server.grpc.proto.ChatRequest;
import dev.strata.server.grpc.proto.ChatResponse;
import dev.strata.server.grpc.proto.Done;
import dev.strata.server.grpc.proto.GenerateEvent;
import dev.strata.server.grpc.proto.GenerateRequest;
import dev.strata.server.grpc.proto.Model;
import dev.strata.server.grpc.proto.ModelsRequest;
import dev.strata.server.grpc.proto.ModelsResponse;
import dev.strata.server.grpc.proto.Sampling;
import dev.strata.server.grpc.proto.StrataGrpc;
import dev.strata.server.grpc.proto.Token;
import dev.strata.server.grpc.proto.Usage;
import dev.strata.server.registry.ModelRegistry;
import dev.strata.server.registry.ServedModel;
import io.grpc.MethodDescriptor;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The {@code strata.v1.Strata} service. Handlers run on virtual threads and block on the engine's
 * events; a client cancel (or deadline) cancels the generation. Each call is admitted as the caller
 * that {@link AuthInterceptor} found and gets one audit record, stored before the call completes;
 * its status is the HTTP status {@code /v1} gives the same outcome (499 when the client cancelled).
 */
final class StrataService extends StrataGrpc.StrataImplBase {
    private static final Set<String> ROLES = Set.of("system", "developer", "user", "assistant", "tool");
    private static final int MAX_STOP = 4;

    private static final String GENERATE = endpoint(StrataGrpc.getGenerateMethod());
    private static final String CHAT = endpoint(StrataGrpc.getChatMethod());
    private static final String MODELS = endpoint(StrataGrpc.getModelsMethod());

    private final InferenceService inference;
    private final ModelRegistry registry;
    private final Auditor auditor;
    private final ErrorMapper errors = new ErrorMapper();

    StrataService(InferenceService inference, ModelRegistry registry, Auditor auditor) {
        this.inference = inference;
        this.registry = registry;
        this.auditor = auditor;
    }

    @Override
    public void generate(GenerateRequest request, StreamObserver<GenerateEvent> observer) {
        ServerCallStreamObserver<GenerateEvent> call = (ServerCallStreamObserver<GenerateEvent>) observer;
        CallRecord record = auditor.open(id(), AuthInterceptor.caller());
        boolean audited = false;
        try {
            InferenceCall ic = new InferenceCall(model(request.getModel()), new Prompt.Texts(List.of(request.getPrompt())),
                    request.hasMaxTokens() ? maxTokens(request.getMaxTokens()) : null, sampling(request.getSampling()),
                    1, stop(request.getStopList()), -1, request.getIgnoreEos(), request.getPriority());
            try (Generation generation = inference.start(record.requestId(), ic, record);
                    CancelLink ignored = CancelLink.to(generation)) {
                try {
                    while (!generation.done()) {
                        ChoiceEvent ce = generation.next();
                        switch (ce.event()) {
                            case GenerationEvent.Token t -> call.onNext(GenerateEvent.newBuilder()
                                    .setToken(Token.newBuilder().setId(t.id()).setText(t.text())).build());
                            case GenerationEvent.Finished f -> call.onNext(GenerateEvent.newBuilder()
                                    .setDone(Done.newBuilder().setFinishReason(reason(f.reason()))
                                            .setUsage(usage(f.usage()))).build());
                            case GenerationEvent.Failed f -> throw f.error();
                        }
                    }
                } finally {
                    if (call.isCancelled()) {
                        drain(generation); // so what it generated before the cancel is counted, settled and audited
                    }
                }
            }
            audited = done(call, record, GENERATE);
            call.onCompleted();
        } catch (InterruptedException | RuntimeException e) {
            if (!audited) {
                auditor.close(record, GENERATE, call.isCancelled() ? 499 : errors.map(e).status(), e.getMessage());
            }
            fail(call, e);
        }
    }

    @Override
    public void chat(ChatRequest request, StreamObserver<ChatResponse> observer) {
        ServerCallStreamObserver<ChatResponse> call = (ServerCallStreamObserver<ChatResponse>) observer;
        CallRecord record = auditor.open(id(), AuthInterceptor.caller());
        boolean audited = false;
        try {
            if (request.getMessagesCount() == 0) {
                throw new InvalidRequest("messages must not be empty", "messages", "invalid_value");
            }
            List<dev.strata.server.chat.ChatMessage> messages = request.getMessagesList().stream().map(m -> {
                if (!ROLES.contains(m.getRole())) {
                    throw new InvalidRequest("unknown role '" + m.getRole() + "'", "messages.role", "invalid_value");
                }
                return new dev.strata.server.chat.ChatMessage(m.getRole(), m.getContent());
            }).toList();
            InferenceCall ic = new InferenceCall(model(request.getModel()), new Prompt.Chat(messages),
                    request.hasMaxTokens() ? maxTokens(request.getMaxTokens()) : null, sampling(request.getSampling()),
                    1, stop(request.getStopList()), -1, false, 0);
            String id = record.requestId();
            StringBuilder text = new StringBuilder();
            String finish = "stop";
            GenerationEvent.Usage usage = new GenerationEvent.Usage(0, 0, 0);
            try (Generation generation = inference.start(id, ic, record);
                    CancelLink ignored = CancelLink.to(generation)) {
                while (!generation.done()) {
                    switch (generation.next().event()) {
                        case GenerationEvent.Token t -> text.append(t.text());
                        case GenerationEvent.Finished f -> {
                            finish = reason(f.reason());
                            usage = f.usage();
                        }
                        case GenerationEvent.Failed f -> throw f.error();
                    }
                }
                call.onNext(ChatResponse.newBuilder().setId(id).setModel(generation.model())
                        .setMessage(ChatMessage.newBuilder().setRole("assistant").setContent(text.toString()))
                        .setFinishReason(finish).setUsage(usage(usage)).build());
            }
            audited = done(call, record, CHAT);
            call.onCompleted();
        } catch (InterruptedException | RuntimeException e) {
            if (!audited) {
                auditor.close(record, CHAT, call.isCancelled() ? 499 : errors.map(e).status(), e.getMessage());
            }
            fail(call, e);
        }
    }

    /** Audits a call that ran to its end: 200, or 499 when the client cancelled it meanwhile. */
    private boolean done(ServerCallStreamObserver<?> call, CallRecord record, String endpoint) {
        boolean cancelled = call.isCancelled();
        auditor.close(record, endpoint, cancelled ? 499 : 200, cancelled ? "the client cancelled the call" : null);
        return true;
    }

    /** Reads a cancelled generation to its end (the engine stops it within a step). */
    private static void drain(Generation generation) throws InterruptedException {
        generation.cancel();
        while (!generation.done()) {
            generation.next();
        }
    }

    /** Tells the client why its call failed (unless it cancelled: nobody to tell). */
    private static void fail(ServerCallStreamObserver<?> call, Exception failure) {
        if (failure instanceof InterruptedException) {
            Thread.currentThread().interrupt();
            call.onError(GrpcStatuses.of(failure));
        } else if (!call.isCancelled()) {
            call.onError(GrpcStatuses.of(failure));
        }
    }

    @Override
    public void models(ModelsRequest request, StreamObserver<ModelsResponse> observer) {
        CallRecord record = auditor.open(id(), AuthInterceptor.caller());
        ModelsResponse.Builder out = ModelsResponse.newBuilder();
        for (ServedModel m : registry.all()) {
            Model.Builder b = Model.newBuilder().setId(m.id()).setState(m.state().apiName());
            m.loaded().ifPresent(l -> {
                ModelInfo info = l.engine().modelInfo();
                b.setContextLength(info.contextLength()).setQuantization(info.quantization())
                        .setArchitecture(info.architecture()).setParameterCount(info.parameterCount());
            });
            out.addModels(b);
        }
        observer.onNext(out.build());
        auditor.close(record, MODELS, 200, null);
        observer.onCompleted();
    }

    private String model(String asked) {
        return asked.isEmpty() ? registry.all().getFirst().id() : asked;
    }

    static String id() {
        return "grpc-" + UUID.randomUUID();
    }

    /** The audit log's endpoint for a method, e.g. {@code GRPC strata.v1.Strata/Chat}. */
    static String endpoint(MethodDescriptor<?, ?> method) {
        return "GRPC " + method.getFullMethodName();
    }

    private static int maxTokens(int value) {
        if (value < 1) {
            throw new InvalidRequest("max_tokens must be >= 1, got " + value, "max_tokens", "invalid_value");
        }
        return value;
    }

    private static List<String> stop(List<String> stop) {
        if (stop.size() > MAX_STOP || stop.stream().anyMatch(String::isEmpty)) {
            throw new InvalidRequest("stop takes at most " + MAX_STOP + " non-empty strings", "stop", "invalid_value");
        }
        return stop;
    }

    private static SamplingOverrides sampling(Sampling s) {
        if (s.hasTemperature() && !(s.getTemperature() >= 0 && s.getTemperature() <= 2)) {
            throw new InvalidRequest("temperature must be in [0, 2], got " + s.getTemperature(), "temperature",
                    "invalid_value");
        }
        if (s.hasTopP() && !(s.getTopP() > 0 && s.getTopP() <= 1)) {
            throw new InvalidRequest("top_p must be in (0, 1], got " + s.getTopP(), "top_p", "invalid_value");
        }
        return new SamplingOverrides(
                s.hasTemperature() ? s.getTemperature() : null,
                s.hasTopP() ? s.getTopP() : null,
                s.hasTopK() ? Math.max(0, s.getTopK()) : null,
                s.hasMinP() ? s.getMinP() : null,
                s.hasRepetitionPenalty() ? s.getRepetitionPenalty() : null,
                s.hasFrequencyPenalty() ? s.getFrequencyPenalty() : null,
                s.hasPresencePenalty() ? s.getPresencePenalty() : null,
                Map.of(),
                s.hasSeed() ? s.getSeed() : null);
    }

    private static Usage.Builder usage(GenerationEvent.Usage u) {
        return Usage.newBuilder().setInputTokens(u.promptTokens()).setOutputTokens(u.completionTokens());
    }

    private static String reason(GenerationEvent.FinishReason reason) {
        return reason.name().toLowerCase(Locale.ROOT);
    }
}
