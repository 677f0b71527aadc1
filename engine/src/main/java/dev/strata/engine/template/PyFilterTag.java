package dev.strata.engine.template;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.tag.Tag;
import com.hubspot.jinjava.tree.Node;
import com.hubspot.jinjava.tree.TagNode;
import java.io.Serial;

/**
 * jinja2's filter block, {@code {% filter trim %}...{% endfilter %}}: renders the body, then
 * applies the filter (with any arguments) to it. Jinjava has no such tag.
 */
final class PyFilterTag implements Tag {

    @Serial
    private static final long serialVersionUID = 1L;

    private static final String BODY = "__strata_filter_body";

    @Override
    public String getName() {
        return "filter";
    }

    @Override
    public String interpret(TagNode tagNode, JinjavaInterpreter interpreter) {
        StringBuilder body = new StringBuilder();
        for (Node node : tagNode.getChildren()) {
            body.append(node.render(interpreter).getValue());
        }
        try (var _ = interpreter.enterScope()) {
            interpreter.getContext().put(BODY, body.toString());
            Object result = interpreter.resolveELExpression(BODY + "|" + tagNode.getHelpers().strip(),
                    tagNode.getLineNumber());
            return PyValues.str(result);
        }
    }
}
