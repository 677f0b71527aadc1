package dev.strata.engine.template;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.tag.Tag;
import com.hubspot.jinjava.tree.Node;
import com.hubspot.jinjava.tree.TagNode;
import java.io.Serial;

/**
 * Hugging Face's {@code {% generation %}...{% endgeneration %}} (its {@code AssistantTracker}
 * extension): marks the assistant's tokens for training masks and renders its body unchanged,
 * which is all inference needs.
 */
final class PyGenerationTag implements Tag {

    @Serial
    private static final long serialVersionUID = 1L;

    @Override
    public String getName() {
        return "generation";
    }

    @Override
    public String interpret(TagNode tagNode, JinjavaInterpreter interpreter) {
        StringBuilder body = new StringBuilder();
        for (Node node : tagNode.getChildren()) {
            body.append(node.render(interpreter).getValue());
        }
        return body.toString();
    }
}
