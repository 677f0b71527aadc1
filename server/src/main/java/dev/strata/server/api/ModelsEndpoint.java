package dev.strata.server.api;

import dev.strata.engine.generate.ModelInfo;
import dev.strata.server.GatewayException;
import dev.strata.server.registry.ModelRegistry;
import dev.strata.server.registry.ServedModel;

/**
 * {@code GET /v1/models} and {@code GET /v1/models/{id}} (https://platform.openai.com/docs/api-reference/models),
 * with Strata's extras: state, context length, quantization, architecture, parameter count, load time.
 */
final class ModelsEndpoint {
    private final ModelRegistry registry;

    ModelsEndpoint(ModelRegistry registry) {
        this.registry = registry;
    }

    void list(Exchange exchange) throws Exception {
        exchange.sendJson(200, new ResponseShapes.ModelList("list",
                registry.all().stream().map(ModelsEndpoint::card).toList()));
    }

    void one(Exchange exchange) throws Exception {
        String id = exchange.pathParameter();
        ServedModel model = registry.find(id).orElseThrow(() -> new GatewayException.NotFound(
                "The model `" + id + "` does not exist", "model", "model_not_found"));
        exchange.sendJson(200, card(model));
    }

    private static ResponseShapes.ModelCard card(ServedModel m) {
        ModelInfo info = m.loaded().map(l -> l.engine().modelInfo()).orElse(null);
        return new ResponseShapes.ModelCard(m.id(), "model", m.createdEpochSeconds(), "strata", m.state().apiName(),
                info == null ? null : info.contextLength(),
                info == null ? null : info.quantization(),
                info == null ? null : info.architecture(),
                info == null ? null : info.parameterCount(),
                m.loadNanos() == 0 ? null : m.loadNanos() / 1e9);
    }
}
