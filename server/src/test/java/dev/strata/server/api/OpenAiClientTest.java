package dev.strata.server.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.NotFoundException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionCreateParams;
import com.openai.models.models.Model;
import dev.strata.server.config.Limits;
import dev.strata.server.testengine.TestGateway;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The official OpenAI Java SDK against a server running the demo model: it must work unchanged. */
class OpenAiClientTest {
    private static final String MODEL = TestGateway.DEMO_ID;
    private static TestGateway server;
    private static OpenAIClient client;

    @BeforeAll
    static void start() throws Exception {
        server = TestGateway.demo(Limits.DEFAULTS);
        client = OpenAIOkHttpClient.builder().baseUrl(server.uri() + "/v1").apiKey("unused").maxRetries(0)
                .timeout(Duration.ofSeconds(30)).build();
    }

    @AfterAll
    static void stop() throws Exception {
        client.close();
        server.close();
    }

    private static ChatCompletionCreateParams.Builder chat() {
        return ChatCompletionCreateParams.builder().model(MODEL).addUserMessage("Once upon a time").temperature(0.0);
    }

    @Test
    void chatCompletion() {
        ChatCompletion c = client.chat().completions().create(chat().maxCompletionTokens(8).build());
        assertThat(c.id()).startsWith("chatcmpl-");
        assertThat(c.model()).isEqualTo(MODEL);
        assertThat(c.choices()).hasSize(1);
        ChatCompletion.Choice choice = c.choices().getFirst();
        assertThat(choice.message().content()).isPresent();
        assertThat(choice.finishReason().asString()).isIn("stop", "length");
        assertThat(c.usage()).isPresent();
        assertThat(c.usage().get().completionTokens()).isBetween(1L, 8L);
        assertThat(c.usage().get().totalTokens())
                .isEqualTo(c.usage().get().promptTokens() + c.usage().get().completionTokens());
        c.validate();
    }

    @Test
    void completion() {
        Completion c = client.completions().create(CompletionCreateParams.builder().model(MODEL)
                .prompt("Once upon a time").maxTokens(5).temperature(0.0).build());
        assertThat(c.id()).startsWith("cmpl-");
        assertThat(c.choices()).hasSize(1);
        assertThat(c.choices().getFirst().text()).isNotNull();
        assertThat(c.usage().get().completionTokens()).isBetween(1L, 5L);
        c.validate();
    }

    @Test
    void streamingChatEqualsWholeResponse() {
        String whole = client.chat().completions().create(chat().maxCompletionTokens(12).build())
                .choices().getFirst().message().content().orElseThrow();
        StringBuilder streamed = new StringBuilder();
        List<ChatCompletionChunk> chunks = new ArrayList<>();
        try (StreamResponse<ChatCompletionChunk> s = client.chat().completions().createStreaming(chat()
                .maxCompletionTokens(12).streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build())
                .build())) {
            s.stream().forEach(chunk -> {
                chunks.add(chunk);
                chunk.choices().forEach(ch -> ch.delta().content().ifPresent(streamed::append));
            });
        }
        assertThat(streamed.toString()).isEqualTo(whole);
        assertThat(chunks.getFirst().choices().getFirst().delta().role()).isPresent();
        ChatCompletionChunk last = chunks.getLast();
        assertThat(last.choices()).isEmpty();
        assertThat(last.usage()).isPresent();
        assertThat(chunks.get(chunks.size() - 2).choices().getFirst().finishReason()).isPresent();
    }

    @Test
    void chatLogprobs() {
        ChatCompletion c = client.chat().completions().create(chat().maxCompletionTokens(4).logprobs(true)
                .topLogprobs(3).build());
        var content = c.choices().getFirst().logprobs().orElseThrow().content().orElseThrow();
        assertThat(content).hasSize((int) c.usage().get().completionTokens());
        assertThat(content.getFirst().topLogprobs()).hasSize(3);
        assertThat(content.getFirst().logprob()).isLessThanOrEqualTo(0.0);
        assertThat(content.getFirst().bytes()).isPresent();
    }

    @Test
    void completionLogprobs() {
        Completion c = client.completions().create(CompletionCreateParams.builder().model(MODEL)
                .prompt("Once upon a time").maxTokens(3).temperature(0.0).logprobs(2).build());
        var logprobs = c.choices().getFirst().logprobs().orElseThrow();
        assertThat(logprobs.tokens().orElseThrow()).hasSize((int) c.usage().get().completionTokens());
        assertThat(logprobs.topLogprobs().orElseThrow()).hasSize((int) c.usage().get().completionTokens());
        assertThat(logprobs.topLogprobs().orElseThrow().getFirst()._additionalProperties()).hasSize(2);
    }

    @Test
    void severalChoices() {
        ChatCompletion c = client.chat().completions().create(ChatCompletionCreateParams.builder().model(MODEL)
                .addUserMessage("Hello").n(3).temperature(1.0).seed(7).maxCompletionTokens(16).build());
        assertThat(c.choices()).extracting(ChatCompletion.Choice::index).containsExactly(0L, 1L, 2L);
        assertThat(c.choices().stream().map(ch -> ch.message().content().orElse("")).distinct().count())
                .isGreaterThan(1);
    }

    @Test
    void engineExtrasInTheBody() {
        ChatCompletion c = client.chat().completions().create(chat().maxCompletionTokens(4)
                .putAdditionalBodyProperty("top_k", JsonValue.from(5))
                .putAdditionalBodyProperty("min_p", JsonValue.from(0.1))
                .putAdditionalBodyProperty("repetition_penalty", JsonValue.from(1.1))
                .putAdditionalBodyProperty("ignore_eos", JsonValue.from(true)).build());
        assertThat(c.usage().get().completionTokens()).isEqualTo(4);
        assertThat(c.choices().getFirst().finishReason().asString()).isEqualTo("length");
    }

    @Test
    void models() {
        List<Model> models = client.models().list().data();
        assertThat(models).extracting(Model::id).containsExactly(MODEL);
        assertThat(client.models().retrieve(MODEL).id()).isEqualTo(MODEL);
        assertThatThrownBy(() -> client.models().retrieve("nope")).isInstanceOf(NotFoundException.class);
    }

    @Test
    void errors() {
        assertThatThrownBy(() -> client.chat().completions().create(ChatCompletionCreateParams.builder()
                .model("missing").addUserMessage("hi").build()))
                .isInstanceOfSatisfying(NotFoundException.class, e -> {
                    assertThat(e.code()).contains("model_not_found");
                    assertThat(e.param()).contains("model");
                });
        assertThatThrownBy(() -> client.chat().completions().create(chat().temperature(-1.0).build()))
                .isInstanceOfSatisfying(BadRequestException.class, e -> assertThat(e.param()).contains("temperature"));
        assertThatThrownBy(() -> client.chat().completions().create(chat().topP(0.0).build()))
                .isInstanceOfSatisfying(BadRequestException.class, e -> assertThat(e.param()).contains("top_p"));
        assertThatThrownBy(() -> client.chat().completions().create(chat().n(1000).build()))
                .isInstanceOfSatisfying(BadRequestException.class, e -> assertThat(e.param()).contains("n"));
        assertThatThrownBy(() -> client.chat().completions().create(chat().maxCompletionTokens(100_000).build()))
                .isInstanceOfSatisfying(BadRequestException.class, e -> assertThat(e.param()).contains("max_tokens"));
        assertThatThrownBy(() -> client.completions().create(CompletionCreateParams.builder().model(MODEL)
                .prompt("Once upon a time ".repeat(200)).build()))
                .isInstanceOfSatisfying(BadRequestException.class,
                        e -> assertThat(e.code()).contains("context_length_exceeded"));
    }
}
