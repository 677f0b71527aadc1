package dev.strata.server.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.engine.generate.GenerationEvent;
import dev.strata.server.backend.Backend;
import dev.strata.server.backend.BackendResult;
import dev.strata.server.backend.ChunkSink;
import dev.strata.server.backend.Failure;
import dev.strata.server.inference.ChoiceEvent;
import dev.strata.server.inference.Generation;
import dev.strata.server.inference.InferenceService;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * The local engine as a routing {@link Backend}: a locally served model can be a route target, a
 * cascade tier (the cheap first tier, typically) or a fallback. Parses the OpenAI request exactly as
 * {@code /v1/chat/completions} does and answers with the same objects; failures the API would map to
 * an HTTP status become {@link BackendResult.Failed} values.
 */
public final class LocalChatBackend implements Backend {
    private final String name;
    private final String modelId;
    private final InferenceService inference;
    private final CallParser parser;
    private final RequestIds ids;
    private final Clock clock;
    private final ObjectMapper json = ApiJson.newMapper();
    private final ErrorMapper errors = new ErrorMapper();

    public LocalChatBackend(String name, String modelId, InferenceService inference, int maxN, RandomGenerator random,
            Clock clock) {
        this.name = name;
        this.modelId = modelId;
        this.inference = inference;
        this.parser = new CallParser(maxN);
        this.ids = new RequestIds(random);
        this.clock = clock;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public BackendResult complete(ObjectNode request) {
        return run(request, null);
    }

    @Override
    public BackendResult stream(ObjectNode request, ChunkSink sink) {
        return run(request, sink);
    }

    private BackendResult run(ObjectNode request, ChunkSink sink) {
        ObjectNode body = request.deepCopy();
        body.put("model", modelId);
        body.put("stream", sink != null);
        int[] sent = {0};
        try {
            ApiRequest parsed = parser.chat(body);
            try (Generation generation = inference.start(ids.next("chatcmpl-"), parsed.call())) {
                return sink == null ? whole(generation, parsed) : streamed(generation, parsed, sink, sent);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return BackendResult.Failed.of(Failure.CANCELLED, "interrupted", name);
        } catch (RuntimeException e) {
            ErrorMapper.ErrorReply reply = errors.map(e);
            Failure failure = switch (reply.status()) {
                case 429 -> Failure.RATE_LIMITED;
                case 503 -> Failure.SATURATED;
                default -> reply.status() < 500 ? Failure.CLIENT_ERROR : Failure.SERVER_ERROR;
            };
            return new BackendResult.Failed(failure, reply.status(), e.getMessage(),
                    reply.retryAfterSeconds() == null ? -1 : reply.retryAfterSeconds() * 1000L, sent[0] > 0, name);
        }
    }

    private BackendResult whole(Generation generation, ApiRequest request) throws InterruptedException {
        Collected collected = Collected.from(generation);
        Logprobs logprobs = new Logprobs(generation.tokenizer());
        List<ResponseShapes.ChatChoice> choices = new ArrayList<>();
        for (int i = 0; i < collected.choices().size(); i++) {
            Collected.Choice c = collected.choices().get(i);
            choices.add(new ResponseShapes.ChatChoice(i, new ResponseShapes.AssistantMessage("assistant", c.text(), null),
                    request.logprobs() ? logprobs.chat(c.tokens()) : null, Collected.finishReason(c.reason())));
        }
        return new BackendResult.Answered(json.valueToTree(new ResponseShapes.ChatCompletion(generation.id(),
                "chat.completion", clock.instant().getEpochSecond(), generation.model(), choices,
                ResponseShapes.Usage.of(collected.promptTokens(), collected.completionTokens()), null)), name);
    }

    private BackendResult streamed(Generation generation, ApiRequest request, ChunkSink sink, int[] sent)
            throws InterruptedException {
        long created = clock.instant().getEpochSecond();
        Logprobs logprobs = new Logprobs(generation.tokenizer());
        dev.strata.server.backend.Answers answers = new dev.strata.server.backend.Answers(json);
        List<ResponseShapes.ChatChunkChoice> start = new ArrayList<>();
        for (int i = 0; i < generation.choiceCount(); i++) {
            start.add(new ResponseShapes.ChatChunkChoice(i, new ResponseShapes.Delta("assistant", ""), null, null));
        }
        for (ResponseShapes.ChatChunkChoice c : start) {
            if (!send(generation, created, c, sink, answers, sent)) {
                generation.cancel();
                return new BackendResult.Failed(Failure.CANCELLED, 0, "stopped", -1, true, name);
            }
        }
        while (!generation.done()) {
            ChoiceEvent ce = generation.next();
            ResponseShapes.ChatChunkChoice choice = switch (ce.event()) {
                case GenerationEvent.Token t -> new ResponseShapes.ChatChunkChoice(ce.index(),
                        new ResponseShapes.Delta(null, t.text()), request.logprobs() ? logprobs.chat(List.of(t)) : null,
                        null);
                case GenerationEvent.Finished f -> new ResponseShapes.ChatChunkChoice(ce.index(),
                        new ResponseShapes.Delta(null, null), null, Collected.finishReason(f.reason()));
                case GenerationEvent.Failed f -> throw f.error();
            };
            if (!send(generation, created, choice, sink, answers, sent)) {
                generation.cancel();
                return new BackendResult.Failed(Failure.CANCELLED, 0, "stopped", -1, true, name);
            }
        }
        return new BackendResult.Answered(answers.completion(), name);
    }

    private boolean send(Generation generation, long created, ResponseShapes.ChatChunkChoice choice, ChunkSink sink,
            dev.strata.server.backend.Answers answers, int[] sent) {
        ObjectNode chunk = json.valueToTree(new ResponseShapes.ChatChunk(generation.id(), "chat.completion.chunk",
                created, generation.model(), null, List.of(choice), null));
        answers.add(chunk);
        sent[0]++;
        return sink.accept(chunk);
    }
}
