package dev.strata.server.testengine;

import dev.strata.engine.template.ChatTemplate;
import dev.strata.engine.template.TemplateOptions;
import dev.strata.server.chat.TemplateChatFormatter;
import dev.strata.server.config.Limits;
import dev.strata.server.config.ModelConfig;
import dev.strata.server.config.SamplingDefaults;
import dev.strata.server.config.ServerConfig;
import dev.strata.server.config.StrataConfig;
import dev.strata.server.gateway.Gateway;
import dev.strata.server.registry.GgufModelLoader;
import dev.strata.server.registry.LoadedModel;
import dev.strata.server.registry.ModelLoader;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** A running gateway on 127.0.0.1 and a free port, for end-to-end tests. */
public final class TestGateway implements AutoCloseable {
    /** The id the demo model is served under. */
    public static final String DEMO_ID = "stories260K";

    private final Gateway gateway;

    private TestGateway(Gateway gateway) {
        this.gateway = gateway;
    }

    /** Serves {@code engine} as model {@code id} with the given limits. */
    public static TestGateway serving(String id, TestEngine engine, Limits limits) throws Exception {
        return serving(id, engine, limits, -1);
    }

    public static TestGateway serving(String id, TestEngine engine, Limits limits, int grpcPort) throws Exception {
        return start(List.of(new ModelConfig(id, Path.of(id + ".gguf"), 0, 0, SamplingDefaults.NONE)),
                config -> new LoadedModel(engine,
                        new TemplateChatFormatter(ChatTemplate.chatMl(TemplateOptions.of("<s>", "</s>")))), limits,
                grpcPort);
    }

    /** Serves the bundled demo model ({@code models/stories260K.gguf}) with the real engine. */
    public static TestGateway demo(Limits limits) throws Exception {
        Path model = Path.of(System.getProperty("strata.models.dir", "../models"), "stories260K.gguf");
        return start(List.of(new ModelConfig(DEMO_ID, model, 2, 0, SamplingDefaults.NONE)),
                new GgufModelLoader(32, 512), limits);
    }

    public static TestGateway start(List<ModelConfig> models, ModelLoader loader, Limits limits) throws Exception {
        return start(models, loader, limits, -1);
    }

    /** @param grpcPort 0 for a free port, -1 for no gRPC */
    public static TestGateway start(List<ModelConfig> models, ModelLoader loader, Limits limits, int grpcPort)
            throws Exception {
        ServerConfig server = new ServerConfig("127.0.0.1", 0, grpcPort, Duration.ofSeconds(5), limits,
                Optional.empty());
        Gateway gateway = new Gateway(new StrataConfig(server, models), loader, Clock.systemUTC(), "test");
        gateway.start();
        return new TestGateway(gateway);
    }

    public Gateway gateway() {
        return gateway;
    }

    public URI uri() {
        return gateway.httpUri();
    }

    public int port() {
        return gateway.httpUri().getPort();
    }

    @Override
    public void close() {
        gateway.stop();
    }
}
