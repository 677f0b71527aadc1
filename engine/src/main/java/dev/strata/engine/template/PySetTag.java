package dev.strata.engine.template;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.tag.SetTag;
import com.hubspot.jinjava.tree.parse.TagToken;
import java.io.Serial;
import java.util.ArrayList;
import java.util.List;

/** jinja2's {@code set}: a variable set to None stays None in its scope (see {@link NoneValue}). */
final class PySetTag extends SetTag {

    @Serial
    private static final long serialVersionUID = 1L;

    @Override
    public void executeSet(TagToken tagToken, JinjavaInterpreter interpreter, String[] varTokens, List<?> resolvedList,
                           boolean allowDeferredValueOverride) {
        List<Object> values = null;
        if (resolvedList != null) {
            values = new ArrayList<>(resolvedList.size());
            for (int i = 0; i < resolvedList.size(); i++) {
                boolean attribute = i < varTokens.length && varTokens[i].contains(".");
                values.add(attribute ? resolvedList.get(i) : NoneValue.wrap(resolvedList.get(i)));
            }
        } else if (varTokens.length == 1 && !varTokens[0].contains(".")) {
            values = new ArrayList<>();
            values.add(NoneValue.wrap(null));
        }
        super.executeSet(tagToken, interpreter, varTokens, values, allowDeferredValueOverride);
    }
}
