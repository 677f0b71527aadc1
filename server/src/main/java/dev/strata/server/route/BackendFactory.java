package dev.strata.server.route;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.server.GatewayException.InvalidConfig;
import dev.strata.server.backend.AnthropicUpstream;
import dev.strata.server.backend.ApiKeys;
import dev.strata.server.backend.Backend;
import dev.strata.server.backend.OpenAiUpstream;
import dev.strata.server.backend.UpstreamConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

/** Makes the backend an upstream spec describes; tests substitute their own. */
@FunctionalInterface
public interface BackendFactory {
    Backend create(RoutesConfig.UpstreamSpec spec);

    /**
     * HTTP upstreams, one JDK {@link HttpClient} each, keys resolved by {@code keys}; {@code protocol: local}
     * upstreams from {@code local} (name, served model id).
     */
    static BackendFactory http(ApiKeys keys, ObjectMapper json, Clock clock,
            java.util.function.BiFunction<String, String, Backend> local, dev.strata.server.backend.Hops hops,
            dev.strata.server.backend.ClientBody clientBody) {
        return spec -> {
            if (spec.protocol().equals("local")) {
                return local.apply(spec.name(), spec.model());
            }
            String key;
            try {
                key = keys.resolve(spec.apiKeyEnv(), spec.apiKeyFile() == null ? null : Path.of(spec.apiKeyFile()));
            } catch (RuntimeException e) {
                throw new InvalidConfig("gateway.upstreams." + spec.name(), e.getMessage());
            }
            UpstreamConfig config = new UpstreamConfig(spec.name(),
                    spec.protocol().equals("anthropic") ? UpstreamConfig.Protocol.ANTHROPIC
                            : UpstreamConfig.Protocol.OPENAI,
                    URI.create(spec.baseUrl()), spec.model(), key, Duration.ofMillis(spec.connectTimeoutMillis()),
                    Duration.ofMillis(spec.timeoutMillis()), spec.maxConnections(), spec.http2());
            // plain HTTP/1.1 upstreams use Strata's own connections (backend.Transport): no JDK client needed
            boolean plain = config.baseUrl().getScheme().equalsIgnoreCase("http") && !config.http2();
            HttpClient client = plain ? null : HttpClient.newBuilder().connectTimeout(config.connectTimeout())
                    .version(config.http2() ? HttpClient.Version.HTTP_2 : HttpClient.Version.HTTP_1_1).build();
            return switch (config.protocol()) {
                case OPENAI -> new OpenAiUpstream(config, client, json, hops, clientBody);
                case ANTHROPIC -> new AnthropicUpstream(config, client, json, clock, hops);
            };
        };
    }
}
