package dev.strata.engine.template;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.el.ExtendedSyntaxBuilder;
import com.hubspot.jinjava.el.TruthyTypeConverter;
import com.hubspot.jinjava.el.ext.AdditionOperator;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.tag.IfTag;
import com.hubspot.jinjava.tree.TagNode;
import com.hubspot.jinjava.el.ext.AstDict;
import com.hubspot.jinjava.el.ext.AstTuple;
import com.hubspot.jinjava.el.ext.CollectionMembershipOperator;
import com.hubspot.jinjava.el.ext.CollectionNonMembershipOperator;
import com.hubspot.jinjava.el.ext.StringConcatOperator;
import jinjava.de.odysseus.el.tree.impl.Parser.ExtensionHandler;
import jinjava.de.odysseus.el.tree.impl.Parser.ExtensionPoint;
import jinjava.de.odysseus.el.tree.impl.ast.AstBracket;
import jinjava.de.odysseus.el.tree.impl.ast.AstDot;
import jinjava.de.odysseus.el.tree.impl.ast.AstFunction;
import jinjava.de.odysseus.el.tree.impl.ast.AstIdentifier;
import jinjava.de.odysseus.el.tree.impl.ast.AstLiteral;
import jinjava.de.odysseus.el.tree.impl.ast.AstRightValue;
import jinjava.de.odysseus.el.tree.impl.Scanner;
import jinjava.de.odysseus.el.tree.impl.Parser.ParseException;
import jinjava.de.odysseus.el.tree.impl.ast.AstMethod;
import jinjava.de.odysseus.el.tree.impl.ast.AstParameters;
import jinjava.de.odysseus.el.tree.impl.ast.AstProperty;
import com.hubspot.jinjava.el.ext.ExtendedParser;
import com.hubspot.jinjava.objects.SafeString;
import java.io.Serial;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import jinjava.de.odysseus.el.ExpressionFactoryImpl;
import jinjava.de.odysseus.el.misc.NumberOperations;
import jinjava.de.odysseus.el.misc.TypeConverter;
import jinjava.de.odysseus.el.tree.TreeStore;
import jinjava.de.odysseus.el.tree.impl.Builder;
import jinjava.de.odysseus.el.tree.impl.Cache;
import jinjava.de.odysseus.el.tree.impl.Parser;
import jinjava.de.odysseus.el.tree.impl.ast.AstBinary;
import jinjava.de.odysseus.el.tree.impl.ast.AstNode;
import jinjava.javax.el.ELContext;
import jinjava.javax.el.ExpressionFactory;
import jinjava.de.odysseus.el.tree.Bindings;

/**
 * Jinjava's expression language with Python's {@code +}: Jinjava turns {@code 'a' + x} into
 * string concatenation whatever {@code x} is ({@code null}, a list, a dict), where Python raises
 * {@code TypeError} (and jinja2 {@code UndefinedError} for an undefined operand), so a template
 * that Hugging Face would refuse renders garbage. The parser is Jinjava's own, with the addition
 * node swapped for {@link PyAdd}.
 */
final class PyExpressions {

    private PyExpressions() {}

    /** Compiled expression trees kept per engine (the same expressions recur in every render). */
    private static final int TREE_CACHE_SIZE = 2000;

    /** Jinjava's converter with Python's truth value for {@code not}, {@code or} and conditions. */
    static final class PyTypeConverter extends TruthyTypeConverter {
        @Serial
        private static final long serialVersionUID = 1L;

        @Override
        protected Boolean coerceToBoolean(Object value) {
            return PyTests.truthy(value);
        }
    }

    /** jinja2's {@code if}/{@code elif} conditions with Python's truth value (Jinjava: "false" is false). */
    static final class PyIfTag extends IfTag {
        @Serial
        private static final long serialVersionUID = 1L;

        @Override
        public boolean isPositiveIfElseNode(TagNode tagNode, JinjavaInterpreter interpreter) {
            return PyTests.truthy(interpreter.resolveELExpression(tagNode.getHelpers(), tagNode.getLineNumber()));
        }
    }

    /** A Jinjava whose expressions are parsed by {@link PyParser}. */
    static final class PyJinjava extends Jinjava {
        private final ExpressionFactory expressionFactory;

        PyJinjava(JinjavaConfig config) {
            super(config);
            Builder builder = new PyTreeBuilder();
            this.expressionFactory = new ExpressionFactoryImpl(new TreeStore(builder, new Cache(TREE_CACHE_SIZE)),
                    new PyTypeConverter());
        }

        @Override
        public ExpressionFactory getExpressionFactory() {
            return expressionFactory;
        }
    }

    static final class PyTreeBuilder extends ExtendedSyntaxBuilder {
        @Serial
        private static final long serialVersionUID = 1L;

        PyTreeBuilder() {
            super(Builder.Feature.METHOD_INVOCATIONS, Builder.Feature.VARARGS);
        }

        @Override
        protected Parser createParser(String expression) {
            return new PyParser(this, expression);
        }
    }

    static final class PyParser extends ExtendedParser {
        PyParser(Builder builder, String input) {
            super(builder, input);
            putExtensionHandler(CollectionMembershipOperator.TOKEN, new ExtensionHandler(ExtensionPoint.CMP) {
                @Override
                public AstNode createAstNode(AstNode... children) {
                    return new AstBinary(children[0], children[1], PyIn.IN);
                }
            });
            putExtensionHandler(StringConcatOperator.TOKEN, new ExtensionHandler(ExtensionPoint.ADD) {
                @Override
                public AstNode createAstNode(AstNode... children) {
                    return new AstBinary(children[0], children[1], PyConcat.OP);
                }
            });
            putExtensionHandler(CollectionNonMembershipOperator.TOKEN, new ExtensionHandler(ExtensionPoint.CMP) {
                @Override
                public AstNode createAstNode(AstNode... children) {
                    return new AstBinary(children[0], children[1], PyIn.NOT_IN);
                }
            });
        }

        /**
         * Conditional expressions as jinja2 parses them: {@code a if c else b}, and without
         * {@code else} an undefined value (prints as nothing: {@code {{ ', ' if not loop.last }}}),
         * where Jinjava would give {@code null}, printed by Python as "None".
         */
        @Override
        protected AstNode expr(boolean required) throws Scanner.ScanException, ParseException {
            AstNode value = or(required);
            if (value == null || getToken().getSymbol() != Scanner.Symbol.QUESTION) {
                return value;
            }
            if (!getToken().getImage().equals("if")) {
                consumeToken();
                AstNode yes = expr(true);
                consumeToken(Scanner.Symbol.COLON);
                return createAstChoice(value, yes, expr(true));
            }
            consumeToken();
            AstNode condition = expr(true);
            AstNode otherwise = new UndefinedLiteral();
            if (getToken().getImage().equals("else")) {
                consumeToken();
                otherwise = expr(true);
            }
            return createAstChoice(condition, value, otherwise);
        }

        @Override
        protected AstFunction createAstFunction(String name, int index, AstParameters params) {
            List<AstNode> children = new java.util.ArrayList<>();
            for (int i = 0; i < params.getCardinality(); i++) {
                children.add(new NoneArgument(params.getChild(i)));
            }
            return super.createAstFunction(name, index, new AstParameters(children));
        }

        @Override
        protected AstDot createAstDot(AstNode prefix, String name, boolean lvalue) {
            return new PyDot(prefix, name, lvalue);
        }

        @Override
        protected AstBracket createAstBracket(AstNode prefix, AstNode property, boolean lvalue, boolean strict) {
            return new PyBracket(prefix, property, lvalue, strict);
        }

        @Override
        protected AstMethod createAstMethod(AstProperty property, AstParameters params) {
            return new PyMethod(property, params);
        }

        @Override
        protected AstBinary createAstBinary(AstNode left, AstNode right, AstBinary.Operator operator) {
            AstBinary.Operator python = operator;
            if (operator == AdditionOperator.OP) {
                python = PyAdd.OP;
            } else if (operator == AstBinary.MUL) {
                python = PyMul.OP;
            } else if (operator == AstBinary.MOD) {
                python = PyMod.OP;
            } else if (operator == AstBinary.AND) {
                python = PyAnd.OP;
            } else if (operator == AstBinary.EQ) {
                python = PyEq.EQ;
            } else if (operator == AstBinary.NE) {
                python = PyEq.NE;
            }
            return super.createAstBinary(left, right, python);
        }

        @Override
        protected AstTuple createAstTuple(AstParameters parameters) throws Scanner.ScanException, ParseException {
            return new PyTupleLiteral(parameters);
        }

        @Override
        protected AstDict createAstDict(Map<AstNode, AstNode> dict) {
            return new PyDict(dict);
        }
    }

    /** A tuple literal, {@code ('a', 'b')}: a {@link PyTuple}, which prints with parentheses. */
    static final class PyTupleLiteral extends AstTuple {
        @Serial
        private static final long serialVersionUID = 1L;

        PyTupleLiteral(AstParameters elements) {
            super(elements);
        }

        @Override
        public Object eval(Bindings bindings, ELContext context) {
            return PyTuple.of((List<?>) super.eval(bindings, context));
        }
    }

    /**
     * A dict literal whose keys keep their type ({@code {0: 'a', 512: 'b'}} has integer keys, as
     * in Python; Jinjava turns every key into a string, which breaks {@code dictsort} and
     * {@code d[512]}).
     */
    static final class PyDict extends AstDict {
        @Serial
        private static final long serialVersionUID = 1L;

        PyDict(Map<AstNode, AstNode> dict) {
            super(dict);
        }

        @Override
        public Object eval(Bindings bindings, ELContext context) {
            Map<Object, Object> resolved = new LinkedHashMap<>();
            for (Map.Entry<AstNode, AstNode> entry : dict.entrySet()) {
                Object key = entry.getKey().eval(bindings, context);
                if (key instanceof SafeString s) {
                    key = s.toString();
                } else if (key instanceof Integer i) {
                    key = (long) i;
                }
                resolved.put(key, entry.getValue().eval(bindings, context));
            }
            return resolved;
        }
    }

    /** Python's {@code +}: str + str, list + list, number + number; anything else raises. */
    static final class PyAdd extends AdditionOperator {
        static final PyAdd OP = new PyAdd();

        @Override
        protected Object apply(TypeConverter converter, Object o1, Object o2) {
            if (o1 instanceof PyUndefined u) {
                throw new TemplateRaise.Undefined(u.hint());
            }
            if (o2 instanceof PyUndefined u) {
                throw new TemplateRaise.Undefined(u.hint());
            }
            boolean s1 = PythonMethods.isStringLike(o1);
            boolean s2 = PythonMethods.isStringLike(o2);
            if (o1 instanceof SafeString markup && s2) {
                // markupsafe: Markup + str escapes the str ("x"|safe + '"' gives x&#34;)
                return new SafeString(markup + (o2 instanceof SafeString ? o2.toString() : escapeHtml(o2.toString())));
            }
            if (s1 && s2) {
                return o1.toString() + o2;
            }
            if (s1) {
                throw new TemplateRaise.TypeError("can only concatenate str (not \"" + pyType(o2) + "\") to str");
            }
            if (o1 instanceof List<?> && !(o2 instanceof List<?>)) {
                throw new TemplateRaise.TypeError("can only concatenate list (not \"" + pyType(o2) + "\") to list");
            }
            boolean numbers = (o1 instanceof Number || o1 instanceof Boolean) && (o2 instanceof Number || o2 instanceof Boolean);
            if (!numbers && !(o1 instanceof List<?>)) {
                throw new TemplateRaise.TypeError("unsupported operand type(s) for +: '" + pyType(o1) + "' and '"
                        + pyType(o2) + "'");
            }
            if (o1 instanceof Boolean b) {
                o1 = b ? 1L : 0L;
            }
            if (o2 instanceof Boolean b) {
                o2 = b ? 1L : 0L;
            }
            return super.apply(converter, o1, o2);
        }
    }

    /**
     * {@code x.name} where {@code x} is None gives jinja2's undefined ({@code 'None' has no
     * attribute 'name'}), which raises when used; Jinjava would give {@code null} silently.
     */
    static final class PyDot extends AstDot {
        @Serial
        private static final long serialVersionUID = 1L;

        PyDot(AstNode prefix, String property, boolean lvalue) {
            super(prefix, property, lvalue);
        }

        AstNode prefixNode() {
            return prefix;
        }

        String name() {
            return property;
        }

        @Override
        public Object eval(Bindings bindings, ELContext context) {
            Object base = prefix.eval(bindings, context);
            if (base == null) {
                return new PyUndefined("'None' has no attribute '" + property + "'");
            }
            context.setPropertyResolved(false);
            return context.getELResolver().getValue(context, base, property);
        }
    }

    /** {@code x[key]} with jinja2's undefined for None ({@code None has no element 0}). */
    static final class PyBracket extends AstBracket {
        @Serial
        private static final long serialVersionUID = 1L;

        PyBracket(AstNode prefix, AstNode property, boolean lvalue, boolean strict) {
            super(prefix, property, lvalue, strict);
        }

        AstNode prefixNode() {
            return prefix;
        }

        @Override
        public Object eval(Bindings bindings, ELContext context) {
            Object base = prefix.eval(bindings, context);
            Object key = property.eval(bindings, context);
            if (base == null) {
                return new PyUndefined(key instanceof CharSequence
                        ? "'None' has no attribute '" + key + "'" : "None has no element " + PyValues.repr(key));
            }
            if (key == null) {
                return PyUndefined.attribute(base, "None");
            }
            context.setPropertyResolved(false);
            return context.getELResolver().getValue(context, base, key);
        }
    }

    /** {@code x.name(args)} where {@code x} is None raises jinja2's {@code 'None' has no attribute 'name'}. */
    static final class PyMethod extends AstMethod {
        @Serial
        private static final long serialVersionUID = 1L;

        private final AstProperty target;

        PyMethod(AstProperty property, AstParameters params) {
            super(property, params);
            this.target = property;
        }

        @Override
        public Object eval(Bindings bindings, ELContext context) {
            if (target instanceof PyDot dot) {
                AstNode prefix = dot.prefixNode();
                boolean interpreter = prefix instanceof AstIdentifier id && id.getName().equals(ExtendedParser.INTERPRETER);
                if (!interpreter && prefix.eval(bindings, context) == null) {
                    if (prefix instanceof PyDot filterDot && filterDot.name().startsWith(ExtendedParser.FILTER_PREFIX)) {
                        throw new TemplateRaise.TypeError("No filter named '"
                                + filterDot.name().substring(ExtendedParser.FILTER_PREFIX.length()) + "'.");
                    }
                    throw new TemplateRaise.Undefined("'None' has no attribute '" + dot.name() + "'");
                }
            }
            return super.eval(bindings, context);
        }
    }

    /**
     * Python's {@code in} and {@code not in}: substring for strings, key for dicts, element (by
     * Python equality) for lists; {@code x in None} raises. Jinjava answers false for None and
     * converts types before comparing.
     */
    static final class PyIn extends AstBinary.SimpleOperator {
        static final PyIn IN = new PyIn(false);
        static final PyIn NOT_IN = new PyIn(true);

        private final boolean negated;

        private PyIn(boolean negated) {
            this.negated = negated;
        }

        @Override
        protected Object apply(TypeConverter converter, Object item, Object container) {
            return contains(item, container) != negated;
        }

        static boolean contains(Object item, Object container) {
            return switch (container) {
                case null -> throw new TemplateRaise.TypeError("argument of type 'NoneType' is not iterable");
                case PyUndefined u -> false;
                case CharSequence s -> {
                    if (!PythonMethods.isStringLike(item)) {
                        throw new TemplateRaise.TypeError("'in <string>' requires string as left operand, not "
                                + pyType(item));
                    }
                    yield s.toString().contains(item.toString());
                }
                case SafeString s -> s.toString().contains(String.valueOf(item));
                case Map<?, ?> m -> m.containsKey(item instanceof SafeString ss ? ss.toString() : item)
                        || item instanceof Number n && m.containsKey(n.longValue());
                default -> {
                    for (Object element : PyValues.iterate(container)) {
                        if (PyValues.pyEquals(item, element)) {
                            yield true;
                        }
                    }
                    yield false;
                }
            };
        }

        @Override
        public String toString() {
            return negated ? "not in" : "in";
        }
    }

    /**
     * One argument of a macro or function call, with None passed as {@link NoneValue}: Jinjava
     * looks a {@code null} scope entry up in the enclosing scopes, so a macro parameter given None
     * would show the caller's variable of the same name instead.
     */
    static final class NoneArgument extends AstRightValue {
        @Serial
        private static final long serialVersionUID = 1L;

        private final AstNode argument;

        NoneArgument(AstNode argument) {
            this.argument = argument;
        }

        @Override
        public Object eval(Bindings bindings, ELContext context) {
            return NoneValue.wrap(argument.eval(bindings, context));
        }

        @Override
        public void appendStructure(StringBuilder builder, Bindings bindings) {
            argument.appendStructure(builder, bindings);
        }

        @Override
        public int getCardinality() {
            return 1;
        }

        @Override
        public AstNode getChild(int i) {
            return i == 0 ? argument : null;
        }

        @Override
        public String toString() {
            return argument.toString();
        }
    }

    /** What a conditional without {@code else} gives when its condition is false. */
    static final class UndefinedLiteral extends AstLiteral {
        @Serial
        private static final long serialVersionUID = 1L;

        @Override
        public Object eval(Bindings bindings, ELContext context) {
            return new PyUndefined("the inline if-expression on this line evaluated to false and no else section was defined.");
        }

        @Override
        public void appendStructure(StringBuilder builder, Bindings bindings) {
            builder.append("undefined");
        }

        @Override
        public String toString() {
            return "undefined";
        }
    }

    /** Python's {@code ==} and {@code !=}: no coercion ({@code '1' == 1} is false), lists and dicts compared deeply. */
    static final class PyEq extends AstBinary.SimpleOperator {
        static final PyEq EQ = new PyEq(false);
        static final PyEq NE = new PyEq(true);

        private final boolean negated;

        private PyEq(boolean negated) {
            this.negated = negated;
        }

        @Override
        protected Object apply(TypeConverter converter, Object a, Object b) {
            boolean equal = a instanceof PyUndefined || b instanceof PyUndefined
                    ? a instanceof PyUndefined && b instanceof PyUndefined
                    : PyValues.pyEquals(a, b);
            return equal != negated;
        }

        @Override
        public String toString() {
            return negated ? "!=" : "==";
        }
    }

    /** Python's {@code and}: the left operand if it is falsy, else the right one (not a boolean). */
    static final class PyAnd implements AstBinary.Operator {
        static final PyAnd OP = new PyAnd();

        @Override
        public Object eval(Bindings bindings, ELContext context, AstNode left, AstNode right) {
            Object l = left.eval(bindings, context);
            if (!PyTests.truthy(l)) {
                return l;
            }
            return right.eval(bindings, context);
        }

        @Override
        public String toString() {
            return "and";
        }
    }

    /** jinja2's {@code ~}: both sides as Python {@code str()} ({@code None} prints as "None", undefined as ""). */
    static final class PyConcat extends AstBinary.SimpleOperator {
        static final PyConcat OP = new PyConcat();

        @Override
        protected Object apply(TypeConverter converter, Object a, Object b) {
            return PyValues.str(a) + PyValues.str(b);
        }

        @Override
        public String toString() {
            return "~";
        }
    }

    /** Python's {@code *}: {@code 'ab' * 3} and {@code [x] * 3} repeat; numbers multiply. */
    static final class PyMul extends AstBinary.SimpleOperator {
        static final PyMul OP = new PyMul();

        @Override
        protected Object apply(TypeConverter converter, Object a, Object b) {
            if (PythonMethods.isStringLike(a) && isInt(b)) {
                return a.toString().repeat(Math.max(0, ((Number) b).intValue()));
            }
            if (isInt(a) && PythonMethods.isStringLike(b)) {
                return b.toString().repeat(Math.max(0, ((Number) a).intValue()));
            }
            if (a instanceof List<?> list && isInt(b)) {
                List<Object> out = new java.util.ArrayList<>();
                for (int i = 0; i < ((Number) b).intValue(); i++) {
                    out.addAll(list);
                }
                return out;
            }
            if (a instanceof PyUndefined u) {
                throw new TemplateRaise.Undefined(u.hint());
            }
            if (b instanceof PyUndefined u) {
                throw new TemplateRaise.Undefined(u.hint());
            }
            return NumberOperations.mul(converter, a, b);
        }

        @Override
        public String toString() {
            return "*";
        }
    }

    /** Python's {@code %}: printf-style formatting on a string ({@code '%s: %d' % (a, n)}); modulo on numbers. */
    static final class PyMod extends AstBinary.SimpleOperator {
        static final PyMod OP = new PyMod();

        @Override
        protected Object apply(TypeConverter converter, Object a, Object b) {
            if (PythonMethods.isStringLike(a)) {
                List<Object> args = b instanceof List<?> l ? new java.util.ArrayList<>(l) : java.util.Collections.singletonList(b);
                return printf(a.toString(), args, b instanceof Map<?, ?> m ? m : null);
            }
            return NumberOperations.mod(converter, a, b);
        }

        private static String printf(String format, List<Object> args, Map<?, ?> named) {
            StringBuilder sb = new StringBuilder();
            int next = 0;
            for (int i = 0; i < format.length(); i++) {
                char c = format.charAt(i);
                if (c != '%' || i + 1 >= format.length()) {
                    sb.append(c);
                    continue;
                }
                int j = i + 1;
                Object value = null;
                boolean haveValue = false;
                if (format.charAt(j) == '(' && named != null) {
                    int close = format.indexOf(')', j);
                    value = named.get(format.substring(j + 1, close));
                    haveValue = true;
                    j = close + 1;
                }
                int specStart = j;
                while (j < format.length() && "-+ #0123456789.".indexOf(format.charAt(j)) >= 0) {
                    j++;
                }
                if (j >= format.length()) {
                    throw new TemplateRaise.TypeError("incomplete format");
                }
                char conversion = format.charAt(j);
                if (conversion == '%') {
                    sb.append('%');
                    i = j;
                    continue;
                }
                if (!haveValue) {
                    if (next >= args.size()) {
                        throw new TemplateRaise.TypeError("not enough arguments for format string");
                    }
                    value = args.get(next++);
                }
                String spec = format.substring(specStart, j);
                sb.append(switch (conversion) {
                    case 's' -> String.format("%" + spec + "s", PyValues.str(value));
                    case 'r' -> String.format("%" + spec + "s", PyValues.repr(value));
                    case 'd', 'i' -> String.format("%" + spec + "d", ((Number) value).longValue());
                    case 'f', 'F', 'e', 'E', 'g', 'G' -> String.format(java.util.Locale.ROOT, "%" + spec + conversion,
                            ((Number) value).doubleValue());
                    case 'x', 'X', 'o' -> String.format("%" + spec + conversion, ((Number) value).longValue());
                    default -> throw new TemplateRaise.TypeError("unsupported format character '" + conversion + "'");
                });
                i = j;
            }
            return sb.toString();
        }

        @Override
        public String toString() {
            return "%";
        }
    }

    private static boolean isInt(Object o) {
        return o instanceof Long || o instanceof Integer || o instanceof Short;
    }

    /** markupsafe's {@code escape}: the five HTML-special characters as entities. */
    static String escapeHtml(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> sb.append("&amp;");
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '"' -> sb.append("&#34;");
                case '\'' -> sb.append("&#39;");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }

    /** Python's name for a value's type, as in its error messages. */
    static String pyType(Object o) {
        return switch (o) {
            case null -> "NoneType";
            case CharSequence s -> "str";
            case SafeString s -> "str";
            case Boolean b -> "bool";
            case Long l -> "int";
            case Integer i -> "int";
            case Number n -> "float";
            case List<?> l -> "list";
            case Map<?, ?> m -> "dict";
            default -> o.getClass().getSimpleName();
        };
    }
}
