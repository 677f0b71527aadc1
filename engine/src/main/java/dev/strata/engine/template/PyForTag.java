package dev.strata.engine.template;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.tag.Tag;
import com.hubspot.jinjava.tree.Node;
import com.hubspot.jinjava.tree.TagNode;
import java.io.Serial;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * jinja2's {@code for} statement, replacing Jinjava's: {@code for a, b in items if cond}
 * filters before looping (so {@code loop.last} is the last kept item), {@code loop.previtem} and
 * {@code loop.nextitem} exist, dicts iterate over their keys, an undefined iterable loops zero
 * times, and {@code {% else %}} renders when nothing was looped over.
 */
final class PyForTag implements Tag {

    @Serial
    private static final long serialVersionUID = 1L;

    @Override
    public String getName() {
        return "for";
    }

    @Override
    public boolean isRenderedInValidationMode() {
        return true;
    }

    /** The parts of {@code vars in iterable [if filter] [recursive]}. */
    record Header(List<String> vars, String iterable, String filter) {}

    static Header parseHeader(String helpers, int line) {
        String text = helpers.strip();
        if (text.endsWith(" recursive")) {
            text = text.substring(0, text.length() - " recursive".length()).strip();
        }
        int in = TemplateSource.findKeyword(text, "in", 0);
        if (in < 0) {
            throw new IllegalArgumentException("line " + line + ": 'for' expects an 'in' clause, got: " + helpers);
        }
        List<String> vars = new ArrayList<>();
        for (String v : text.substring(0, in).split(",")) {
            String name = v.strip();
            if (name.startsWith("(")) {
                name = name.substring(1).strip();
            }
            if (name.endsWith(")")) {
                name = name.substring(0, name.length() - 1).strip();
            }
            if (!name.isEmpty()) {
                vars.add(name);
            }
        }
        String rest = text.substring(in + 2);
        int iff = TemplateSource.findKeyword(rest, "if", 0);
        String iterable = iff < 0 ? rest.strip() : rest.substring(0, iff).strip();
        String filter = iff < 0 ? null : rest.substring(iff + 2).strip();
        return new Header(List.copyOf(vars), iterable, filter);
    }

    @Override
    public String interpret(TagNode tagNode, JinjavaInterpreter interpreter) {
        Header header = parseHeader(tagNode.getHelpers(), tagNode.getLineNumber());
        Object iterable = interpreter.resolveELExpression(header.iterable(), tagNode.getLineNumber());
        List<Object> items = PyValues.iterate(iterable);

        List<Node> body = new ArrayList<>();
        List<Node> elseBody = new ArrayList<>();
        List<Node> target = body;
        for (Node child : tagNode.getChildren()) {
            if (target == body && child instanceof TagNode t && "else".equals(t.getName())) {
                target = elseBody;
                continue;
            }
            target.add(child);
        }

        StringBuilder out = new StringBuilder();
        try (var _ = interpreter.enterScope()) {
            if (header.filter() != null) {
                List<Object> kept = new ArrayList<>();
                for (Object item : items) {
                    bind(interpreter, header.vars(), item);
                    Object keep = interpreter.resolveELExpression(header.filter(), tagNode.getLineNumber());
                    if (PyTests.truthy(keep)) {
                        kept.add(item);
                    }
                }
                items = kept;
            }
            if (items.isEmpty()) {
                for (Node node : elseBody) {
                    out.append(node.render(interpreter).getValue());
                }
                return out.toString();
            }
            PyLoop loop = new PyLoop(items);
            interpreter.getContext().put("loop", loop);
            while (loop.hasNext()) {
                bind(interpreter, header.vars(), loop.next());
                for (Node node : body) {
                    out.append(node.render(interpreter).getValue());
                    if (loop.isContinued()) {
                        break;
                    }
                }
            }
        }
        return out.toString();
    }

    private static void bind(JinjavaInterpreter interpreter, List<String> vars, Object item) {
        if (vars.size() == 1) {
            interpreter.getContext().put(vars.getFirst(), NoneValue.wrap(item));
            return;
        }
        List<Object> values = switch (item) {
            case Map.Entry<?, ?> e -> java.util.Arrays.asList(e.getKey(), e.getValue());
            case List<?> l -> new ArrayList<>(l);
            default -> PyValues.iterate(item);
        };
        if (values.size() != vars.size()) {
            throw new TemplateRaise.TypeError((values.size() < vars.size() ? "not enough" : "too many")
                    + " values to unpack (expected " + vars.size() + ", got " + values.size() + ")");
        }
        for (int i = 0; i < vars.size(); i++) {
            interpreter.getContext().put(vars.get(i), NoneValue.wrap(values.get(i)));
        }
    }
}
