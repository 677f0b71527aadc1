package dev.strata.engine.template;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.el.TypeConvertingMapELResolver;
import com.hubspot.jinjava.el.ext.JinjavaBeanELResolver;
import com.hubspot.jinjava.el.ext.JinjavaListELResolver;
import com.hubspot.jinjava.interpret.Context;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import com.hubspot.jinjava.tree.Node;
import java.lang.reflect.Method;
import java.time.Clock;
import java.util.Map;
import jinjava.javax.el.ArrayELResolver;
import jinjava.javax.el.CompositeELResolver;

/**
 * One Jinjava set up to behave like Hugging Face's jinja2 environment: Python expressions
 * ({@link PyExpressions}: operators, None/undefined rules, truth value), Python methods and
 * undefined values ({@link PythonMethods}), jinja2's {@code for}, {@code set}, {@code if},
 * {@code filter} and {@code generation} tags, filters ({@link PyFilters}), tests
 * ({@link PyTests}) and globals ({@link TemplateFunctions}); no nested interpretation (text from a
 * message is never rendered as a template); whitespace already settled by {@link TemplateSource}.
 */
final class JinjaEngine {

    /** Output past this is an error: a runaway template, not a prompt. */
    private static final long MAX_OUTPUT_BYTES = 64L << 20;

    private final Jinjava jinjava;
    private final JinjavaConfig config;

    JinjaEngine(Clock clock) {
        CompositeELResolver resolver = new CompositeELResolver();
        resolver.add(new PythonMethods());
        resolver.add(new ArrayELResolver(true));
        resolver.add(new JinjavaListELResolver(true));
        resolver.add(new TypeConvertingMapELResolver(true));
        resolver.add(new JinjavaBeanELResolver(true));
        this.config = JinjavaConfig.newBuilder()
                .withTrimBlocks(false)
                .withLstripBlocks(false)
                .withKeepTrailingNewline(true)
                .withNestedInterpretationEnabled(false)
                .withFailOnUnknownTokens(false)
                .withElResolver(resolver)
                .withDateTimeProvider(clock::millis)
                .withTimeZone(clock.getZone())
                .withMaxOutputSize(MAX_OUTPUT_BYTES)
                .withEnableRecursiveMacroCalls(true)
                .withMaxMacroRecursionDepth(100)
                .withLegacyOverrides(LegacyOverrides.newBuilder()
                        .withEvaluateMapKeys(true)
                        .withUseNaturalOperatorPrecedence(true)
                        .withHandleBackslashInQuotesOnly(true)
                        .build())
                .build();
        this.jinjava = new PyExpressions.PyJinjava(config);
        Context global = jinjava.getGlobalContext();
        global.registerTag(new PyForTag());
        global.registerTag(new PyFilterTag());
        global.registerTag(new PySetTag());
        global.registerTag(new PyGenerationTag());
        global.registerTag(new PyExpressions.PyIfTag());
        PyFilters.all().forEach(global::registerFilter);
        PyTests.all().forEach(global::registerExpTest);
        global.registerFunction(function("raise_exception", "raiseException"));
        global.registerFunction(function("strftime_now", "strftimeNow"));
        global.registerFunction(function("namespace", "namespace", Object[].class));
        global.registerFunction(function("dict", "dict", Object[].class));
    }

    private static ELFunctionDefinition function(String name, String javaName) {
        return function(name, javaName, Object.class);
    }

    private static ELFunctionDefinition function(String name, String javaName, Class<?> parameterType) {
        try {
            Method method = TemplateFunctions.class.getDeclaredMethod(javaName, parameterType);
            method.setAccessible(true);
            return new ELFunctionDefinition("", name, method);
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Parses a pre-passed template once; the tree is immutable and shared by every render. */
    Node parse(String source) {
        JinjavaInterpreter interpreter = newInterpreter(Map.of());
        try (var _ = JinjavaInterpreter.closeablePushCurrent(interpreter).get()) {
            Node root = interpreter.parse(source);
            for (TemplateError e : interpreter.getErrorsCopy()) {
                if (e.getSeverity() == TemplateError.ErrorType.FATAL) {
                    throw new IllegalArgumentException("line " + e.getLineno() + ": " + e.getMessage());
                }
            }
            return root;
        }
    }

    /**
     * An interpreter for one render. Its context's parent is the engine's global context (where
     * the filters, tests, tags and functions live); nothing is written there during a render, so
     * renders share it instead of copying it (Jinjava's own {@code render} copies every library
     * each time, which was most of a render's cost).
     */
    JinjavaInterpreter newInterpreter(Map<String, Object> bindings) {
        Context context = new Context(jinjava.getGlobalContext(), bindings, config.getDisabled());
        return new JinjavaInterpreter(jinjava, context, config);
    }
}
