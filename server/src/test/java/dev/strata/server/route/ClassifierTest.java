package dev.strata.server.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.server.GatewayException;
import dev.strata.server.backend.BackendResult;
import dev.strata.server.backend.Failure;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClassifierTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final RoutesConfig.ClassifierSpec SPEC = new RoutesConfig.ClassifierSpec("tiny",
            "Label it.", Map.of("code", "smart", "chat", "default"), 3);

    @Test
    void readsTheFirstWordOfTheAnswerAsTheLabel() {
        Classifier c = new Classifier(SPEC, new FakeBackend("tiny"), JSON);
        assertThat(c.parse("Code.")).isEqualTo("code");
        assertThat(c.parse("  chat\n")).isEqualTo("chat");
        assertThat(c.parse("\"CODE\"")).isEqualTo("code");
        assertThat(c.parse("I think code")).isNull();
        assertThat(c.parse("")).isNull();
        assertThat(c.routeOf("code")).isEqualTo("smart");
    }

    @Test
    void asksGreedilyOncePerTextAndDoesNotCacheFailures() {
        FakeBackend model = new FakeBackend("tiny");
        model.then(BackendResult.Failed.of(Failure.SERVER_ERROR, "down", "tiny"), FakeBackend.ok("code"),
                FakeBackend.ok("chat"));
        Classifier c = new Classifier(SPEC, model, JSON);
        assertThat(c.label("fix my loop")).isNull();
        assertThat(c.label("fix my loop")).isEqualTo("code");
        assertThat(c.label("fix my loop")).isEqualTo("code");
        assertThat(model.calls).isEqualTo(2);
        assertThat(c.label("hello there")).isEqualTo("chat");
        assertThat(model.calls).isEqualTo(3);
    }

    @Test
    void configNamesTheBadKey() throws Exception {
        String base = """
                {"upstreams":[{"name":"tiny","base_url":"http://127.0.0.1:1/v1"}],
                 "routes":[{"name":"smart","targets":["tiny"]}],
                 "rules":[%s]}""";
        RoutesConfig ok = RoutesConfig.parse(JSON.readTree(base.formatted(
                "{\"classifier\":{\"model\":\"tiny\",\"labels\":{\"code\":\"smart\"}}}")));
        assertThat(ok.rules().getFirst().classifier().labels()).containsEntry("code", "smart");
        assertThat(ok.rules().getFirst().classifier().prompt()).contains("code");
        assertThatThrownBy(() -> RoutesConfig.parse(JSON.readTree(base.formatted(
                "{\"classifier\":{\"model\":\"tiny\",\"labels\":{\"code\":\"nope\"}}}"))))
                .isInstanceOf(GatewayException.InvalidConfig.class)
                .hasMessageContaining("gateway.rules[0].classifier.labels.code");
        assertThatThrownBy(() -> RoutesConfig.parse(JSON.readTree(base.formatted(
                "{\"classifier\":{\"model\":\"ghost\",\"labels\":{\"code\":\"smart\"}}}"))))
                .hasMessageContaining("gateway.rules[0].classifier.model");
    }
}
