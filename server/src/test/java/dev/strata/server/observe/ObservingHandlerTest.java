package dev.strata.server.observe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.server.log.JsonLog;
import dev.strata.server.log.LogLevel;
import dev.strata.server.metrics.GatewayMetrics;
import dev.strata.server.metrics.PrometheusRegistries;
import dev.strata.server.trace.RequestTracer;
import io.opentelemetry.api.OpenTelemetry;
import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Clock;
import org.eclipse.jetty.server.Handler;
import org.junit.jupiter.api.Test;

class ObservingHandlerTest {

    @Test
    void routeLabelsAreBoundedToServedPaths() {
        ObservingHandler handler = new ObservingHandler(new Handler.Abstract() {
            @Override
            public boolean handle(org.eclipse.jetty.server.Request request, org.eclipse.jetty.server.Response response,
                    org.eclipse.jetty.util.Callback callback) {
                return false;
            }
        }, ScopedValue.newInstance(), Observability.ROUTES,
                new GatewayMetrics(PrometheusRegistries.bare(), 10),
                new RequestTracer(OpenTelemetry.noop(), Clock.systemUTC(), () -> 0L),
                new JsonLog(new PrintStream(OutputStream.nullOutputStream()), LogLevel.OFF, Clock.systemUTC()),
                () -> 0L);
        assertThat(handler.route("/v1/chat/completions")).isEqualTo("/v1/chat/completions");
        assertThat(handler.route("/metrics")).isEqualTo("/metrics");
        assertThat(handler.route("/v1/models/stories260K")).isEqualTo("/v1/models/{model}");
        assertThat(handler.route("/v1/models/")).isEqualTo("unmatched");
        assertThat(handler.route("/wp-admin/../etc/passwd")).isEqualTo("unmatched");
        assertThat(handler.route(null)).isEqualTo("unmatched");
    }
}
