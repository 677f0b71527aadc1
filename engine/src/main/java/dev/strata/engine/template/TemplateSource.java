package dev.strata.engine.template;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The pre-pass that turns a jinja2 chat template into one Jinjava renders the same way.
 *
 * <ul>
 *   <li>Whitespace is settled here, with jinja2's rules and Hugging Face's settings
 *       ({@code trim_blocks}, {@code lstrip_blocks}, {@code -}/{@code +} markers, newlines
 *       normalised to {@code \n}, one trailing newline dropped), so Jinjava sees no whitespace
 *       control at all and cannot differ on it.</li>
 *   <li>Comments are dropped.</li>
 *   <li>Every {@code {{ expr }}} prints through {@code __py_print}, Python's {@code str()}
 *       ({@code True}, {@code None}, undefined as nothing).</li>
 *   <li>{@code seq[::-1]} becomes {@code seq|__py_reverse} (Jinjava's slices have no step).</li>
 * </ul>
 * It also collects the names a template reads, so the renderer can bind the ones nobody passed to
 * {@link PyUndefined}. See jinja2's {@code lexer.py} for the whitespace rules.
 */
record TemplateSource(String source, Set<String> freeNames) {

    private static final Set<String> NOT_VARIABLES = Set.of("and", "or", "not", "in", "is", "if", "else", "elif",
            "none", "None", "true", "True", "false", "False", "loop", "caller", "varargs", "kwargs", "self");

    static TemplateSource rewrite(String template) {
        String src = template.replace("\r\n", "\n").replace('\r', '\n');
        if (src.endsWith("\n")) {
            src = src.substring(0, src.length() - 1);
        }
        StringBuilder out = new StringBuilder(src.length() + 256);
        Set<String> names = new TreeSet<>();
        int i = 0;
        boolean stripLeading = false; // a "-}}"/"-%}" before this text
        boolean dropNewline = false; // trim_blocks after a block or comment
        boolean lineStarting = true;
        int n = src.length();
        while (i < n) {
            int start = nextTagStart(src, i);
            String text = src.substring(i, start < 0 ? n : start);
            if (stripLeading) {
                text = PyStrings.strip(text, null, true, false);
            } else if (dropNewline && text.startsWith("\n")) {
                text = text.substring(1);
            }
            if (start < 0) {
                out.append(text);
                break;
            }
            char kind = src.charAt(start + 1);
            int innerStart = start + 2;
            char leftMark = innerStart < n ? src.charAt(innerStart) : ' ';
            if (leftMark == '-') {
                text = PyStrings.strip(text, null, false, true);
                innerStart++;
            } else if (leftMark == '+') {
                innerStart++;
            } else if (kind != '{') {
                text = lstripBlock(text, lineStarting);
            }
            out.append(text);
            int end = tagEnd(src, innerStart, kind);
            if (end < 0) {
                throw new IllegalArgumentException("unclosed tag starting at offset " + start);
            }
            int innerEnd = end;
            char rightMark = innerEnd > innerStart ? src.charAt(innerEnd - 1) : ' ';
            if (rightMark == '-' || rightMark == '+') {
                innerEnd--;
            }
            String inner = src.substring(innerStart, innerEnd);
            int after = end + 2;
            stripLeading = rightMark == '-';
            dropNewline = rightMark != '+' && kind != '{';
            switch (kind) {
                case '{' -> {
                    collectNames(inner, false, names);
                    out.append("{{ (").append(rewriteExpression(inner.strip())).append(")|__py_print }}");
                }
                case '%' -> {
                    String statement = inner.strip();
                    if (statement.equals("raw")) {
                        after = copyRaw(src, after, out);
                        stripLeading = false;
                        dropNewline = true;
                    } else {
                        collectNames(statement, true, names);
                        out.append("{% ").append(statement.startsWith("macro ")
                                ? rewriteSlices(statement) : rewriteExpression(statement)).append(" %}");
                    }
                }
                default -> { } // comment: dropped
            }
            lineStarting = dropNewline && after < n && src.charAt(after) == '\n';
            i = after;
        }
        names.removeAll(NOT_VARIABLES);
        return new TemplateSource(out.toString(), Set.copyOf(names));
    }

    /**
     * lstrip_blocks: spaces and tabs between the start of the line and a block or comment tag go;
     * {@code lineStarting} says the text itself begins a line (start of template, or the previous
     * tag ate its newline).
     */
    private static String lstripBlock(String text, boolean lineStarting) {
        int lineStart = text.lastIndexOf('\n') + 1;
        if ((lineStart > 0 || lineStarting) && lineStart < text.length() && isBlank(text.substring(lineStart))) {
            return text.substring(0, lineStart);
        }
        return text;
    }

    private static boolean isBlank(String s) {
        for (int k = 0; k < s.length(); k++) {
            if (!PyStrings.isSpace(s.charAt(k))) {
                return false;
            }
        }
        return true;
    }

    private static int nextTagStart(String src, int from) {
        int at = src.indexOf('{', from);
        while (at >= 0 && at + 1 < src.length()) {
            char c = src.charAt(at + 1);
            if (c == '{' || c == '%' || c == '#') {
                return at;
            }
            at = src.indexOf('{', at + 1);
        }
        return -1;
    }

    /** Offset of the closing delimiter of a tag whose body starts at {@code from}; strings are skipped. */
    private static int tagEnd(String src, int from, char kind) {
        if (kind == '#') {
            return src.indexOf("#}", from);
        }
        char close = kind == '{' ? '}' : '%';
        for (int k = from; k + 1 < src.length(); k++) {
            char c = src.charAt(k);
            if (c == '\'' || c == '"') {
                k = stringEnd(src, k);
            } else if (c == close && src.charAt(k + 1) == '}') {
                return k;
            }
        }
        return -1;
    }

    /** Copies a raw block verbatim up to its endraw tag; returns the offset after that tag. */
    private static int copyRaw(String src, int from, StringBuilder out) {
        int k = from;
        while (true) {
            int tag = src.indexOf("{%", k);
            if (tag < 0) {
                throw new IllegalArgumentException("missing endraw");
            }
            int end = tagEnd(src, tag + 2, '%');
            String inner = src.substring(tag + 2, end);
            String word = inner.replace("-", "").replace("+", "").strip();
            if (word.equals("endraw")) {
                String content = src.substring(from, tag);
                if (inner.startsWith("-")) {
                    content = PyStrings.strip(content, null, false, true);
                }
                out.append("{% raw %}").append(content).append("{% endraw %}");
                return end + 2;
            }
            k = end + 2;
        }
    }

    /**
     * Rewrites Python syntax Jinjava lacks or reads differently, outside string literals:
     * {@code seq[::-1]}; {@code not x is test} (Python: {@code not (x is test)}, Jinjava:
     * {@code (not x) is test}); keyword arguments whose value holds a filter
     * ({@code f(n=xs|length - 1)}: Jinjava binds the filter to the whole {@code n=xs}).
     */
    static String rewriteExpression(String expr) {
        return wrapKeywordArguments(rewriteNotIs(rewriteFilterTests(rewriteSlices(expr))));
    }

    /**
     * Python's {@code not} applies to a whole comparison ({@code not a == b} is
     * {@code not (a == b)}, {@code not x is defined} is {@code not (x is defined)}); Jinjava's binds
     * to the next operand only. Each {@code not} (other than {@code is not} and {@code not in}) gets
     * parentheses up to the next {@code and}, {@code or}, {@code if}, {@code else}, comma or
     * closing bracket at its level.
     */
    static String rewriteNotIs(String expr) {
        int at = findNot(expr, 0);
        if (at < 0) {
            return expr;
        }
        int start = at + 3;
        int end = operandEnd(expr, start);
        String inner = expr.substring(start, end);
        return expr.substring(0, at) + "not (" + rewriteNotIs(inner.strip()) + ")"
                + (end < expr.length() && !Character.isWhitespace(expr.charAt(end)) && isWordChar(expr.charAt(end)) ? " " : "")
                + rewriteNotIs(expr.substring(end));
    }

    /** The next unary {@code not} outside strings, or -1. */
    private static int findNot(String expr, int from) {
        for (int k = from; k < expr.length(); k++) {
            char c = expr.charAt(k);
            if (c == '\'' || c == '"') {
                k = stringEnd(expr, k);
                continue;
            }
            if (c == 'n' && expr.startsWith("not", k) && (k == 0 || !isWordChar(expr.charAt(k - 1)))
                    && (k + 3 >= expr.length() || !isWordChar(expr.charAt(k + 3)))) {
                String before = expr.substring(0, k).stripTrailing();
                String after = expr.substring(k + 3).stripLeading();
                boolean isNot = before.endsWith(" is") || before.equals("is");
                boolean notIn = after.startsWith("in") && (after.length() == 2 || !isWordChar(after.charAt(2)));
                if (!isNot && !notIn) {
                    return k;
                }
            }
        }
        return -1;
    }

    /** Where the operand of a {@code not} starting at {@code from} ends. */
    private static int operandEnd(String expr, int from) {
        int depth = 0;
        for (int k = from; k < expr.length(); k++) {
            char c = expr.charAt(k);
            switch (c) {
                case '\'', '"' -> k = stringEnd(expr, k);
                case '(', '[', '{' -> depth++;
                case ')', ']', '}' -> {
                    if (depth == 0) {
                        return k;
                    }
                    depth--;
                }
                case ',' -> {
                    if (depth == 0) {
                        return k;
                    }
                }
                default -> {
                    if (depth == 0 && (k == 0 || !isWordChar(expr.charAt(k - 1))) && Character.isLetter(c)) {
                        for (String stop : new String[] {"and", "or", "if", "else"}) {
                            if (expr.startsWith(stop, k) && (k + stop.length() >= expr.length()
                                    || !isWordChar(expr.charAt(k + stop.length())))) {
                                return k;
                            }
                        }
                    }
                }
            }
        }
        return expr.length();
    }

    /** {@code name=value} inside a call's parentheses becomes {@code name=(value)}. */
    private static String wrapKeywordArguments(String expr) {
        if (expr.indexOf('=') < 0 || expr.indexOf('(') < 0) {
            return expr;
        }
        StringBuilder sb = new StringBuilder(expr.length() + 8);
        java.util.ArrayDeque<Character> brackets = new java.util.ArrayDeque<>();
        java.util.ArrayDeque<Boolean> wrapped = new java.util.ArrayDeque<>();
        boolean argStart = false;
        char quote = 0;
        for (int k = 0; k < expr.length(); k++) {
            char c = expr.charAt(k);
            if (quote != 0) {
                sb.append(c);
                if (c == '\\' && k + 1 < expr.length()) {
                    sb.append(expr.charAt(++k));
                } else if (c == quote) {
                    quote = 0;
                }
                continue;
            }
            boolean inCall = !brackets.isEmpty() && brackets.peek() == '(';
            if (c == '\'' || c == '"') {
                quote = c;
                argStart = false;
                sb.append(c);
                continue;
            }
            if (argStart && inCall && (Character.isLetter(c) || c == '_')) {
                int e = k;
                while (e < expr.length() && isWordChar(expr.charAt(e))) {
                    e++;
                }
                int eq = e;
                while (eq < expr.length() && expr.charAt(eq) == ' ') {
                    eq++;
                }
                if (eq + 1 < expr.length() && expr.charAt(eq) == '=' && expr.charAt(eq + 1) != '=') {
                    sb.append(expr, k, eq + 1).append('(');
                    wrapped.pop();
                    wrapped.push(true);
                    k = eq;
                    argStart = false;
                    continue;
                }
            }
            if (c != ' ') {
                argStart = false;
            }
            switch (c) {
                case '(', '[', '{' -> {
                    brackets.push(c);
                    wrapped.push(false);
                    sb.append(c);
                    argStart = c == '(';
                }
                case ')', ']', '}' -> {
                    if (!brackets.isEmpty()) {
                        brackets.pop();
                        if (wrapped.pop()) {
                            sb.append(')');
                        }
                    }
                    sb.append(c);
                }
                case ',' -> {
                    if (inCall && wrapped.peek()) {
                        sb.append(')');
                        wrapped.pop();
                        wrapped.push(false);
                    }
                    sb.append(c);
                    argStart = inCall;
                }
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }

    private static String rewriteSlices(String expr) {
        StringBuilder sb = new StringBuilder(expr.length() + 16);
        char quote = 0;
        for (int k = 0; k < expr.length(); k++) {
            char c = expr.charAt(k);
            if (quote != 0) {
                sb.append(c);
                if (c == '\\' && k + 1 < expr.length()) {
                    sb.append(expr.charAt(++k));
                } else if (c == quote) {
                    quote = 0;
                }
                continue;
            }
            if (c == '\'' || c == '"') {
                quote = c;
                sb.append(c);
                continue;
            }
            if (c == '[') {
                int close = matching(expr, k);
                String inside = close > 0 ? expr.substring(k + 1, close) : "";
                List<String> parts = close > 0 ? splitTopLevel(inside, ':') : List.of();
                if (parts.size() == 3) {
                    // seq[a:b:c] -> (seq|__py_slice(a, b, c)); the operand is the postfix chain before '['
                    int start = operandStart(sb);
                    String operand = sb.substring(start);
                    sb.setLength(start);
                    sb.append('(').append(operand).append("|__py_slice(");
                    for (int p = 0; p < 3; p++) {
                        String part = rewriteSlices(parts.get(p).strip());
                        sb.append(p > 0 ? ", " : "").append(part.isEmpty() ? "none" : part);
                    }
                    sb.append("))");
                    k = close;
                    continue;
                }
            }
            sb.append(c);
        }
        return sb.toString();
    }

    /**
     * jinja2 applies a test to the filtered value ({@code xs|length is even} is
     * {@code (xs|length) is even}); Jinjava cannot parse a test after a filter, so the filtered
     * operand gets parentheses.
     */
    static String rewriteFilterTests(String expr) {
        if (!expr.contains("|") || !expr.contains(" is ")) {
            return expr;
        }
        StringBuilder out = new StringBuilder(expr);
        int from = 0;
        while (true) {
            int at = findKeyword(out.toString(), "is", from);
            if (at < 0) {
                return out.toString();
            }
            int end = at;
            while (end > 0 && out.charAt(end - 1) == ' ') {
                end--;
            }
            StringBuilder prefix = new StringBuilder(out.substring(0, end));
            int start = operandStart(prefix);
            boolean filtered = false;
            while (true) {
                int bar = start - 1;
                while (bar >= 0 && prefix.charAt(bar) == ' ') {
                    bar--;
                }
                if (bar < 0 || prefix.charAt(bar) != '|') {
                    break;
                }
                filtered = true;
                prefix.setLength(bar);
                start = operandStart(prefix);
            }
            if (filtered && start < end) {
                out.insert(end, ')');
                out.insert(start, '(');
                at += 2;
            }
            from = at + 2;
        }
    }

    /** Offset of the bracket closing the one at {@code open}, skipping strings; -1 if none. */
    private static int matching(String expr, int open) {
        int depth = 0;
        for (int k = open; k < expr.length(); k++) {
            char c = expr.charAt(k);
            if (c == '\'' || c == '"') {
                k = stringEnd(expr, k);
            } else if (c == '(' || c == '[' || c == '{') {
                depth++;
            } else if (c == ')' || c == ']' || c == '}') {
                if (--depth == 0) {
                    return k;
                }
            }
        }
        return -1;
    }

    /** Splits on {@code separator} outside strings and brackets. */
    private static List<String> splitTopLevel(String text, char separator) {
        List<String> parts = new ArrayList<>();
        int depth = 0;
        int from = 0;
        for (int k = 0; k < text.length(); k++) {
            char c = text.charAt(k);
            if (c == '\'' || c == '"') {
                k = stringEnd(text, k);
            } else if (c == '(' || c == '[' || c == '{') {
                depth++;
            } else if (c == ')' || c == ']' || c == '}') {
                depth--;
            } else if (c == separator && depth == 0) {
                parts.add(text.substring(from, k));
                from = k + 1;
            }
        }
        parts.add(text.substring(from));
        return parts;
    }

    /** Where the postfix chain ending {@code sb} starts ({@code a.b[0](x)}: names, dots, brackets). */
    private static int operandStart(StringBuilder sb) {
        int k = sb.length() - 1;
        while (k >= 0 && sb.charAt(k) == ' ') {
            k--;
        }
        while (k >= 0) {
            char c = sb.charAt(k);
            if (c == ')' || c == ']') {
                int depth = 0;
                for (; k >= 0; k--) {
                    char d = sb.charAt(k);
                    if (d == ')' || d == ']') {
                        depth++;
                    } else if ((d == '(' || d == '[') && --depth == 0) {
                        break;
                    }
                }
                k--;
            } else if (isWordChar(c) || c == '.') {
                k--;
            } else if (c == '\'' || c == '"') {
                int open = sb.lastIndexOf(String.valueOf(c), k - 1);
                k = open - 1;
            } else {
                break;
            }
        }
        return k + 1;
    }

    /** Adds the variable names an expression reads (not attributes, filters, tests or calls). */
    private static void collectNames(String expr, boolean statement, Set<String> names) {
        char quote = 0;
        boolean first = statement;
        String previousWord = "";
        char previousChar = ' ';
        for (int k = 0; k < expr.length(); k++) {
            char c = expr.charAt(k);
            if (quote != 0) {
                if (c == '\\') {
                    k++;
                } else if (c == quote) {
                    quote = 0;
                    previousChar = c;
                }
                continue;
            }
            if (c == '\'' || c == '"') {
                quote = c;
                continue;
            }
            if (Character.isLetter(c) || c == '_') {
                int e = k;
                while (e < expr.length() && (Character.isLetterOrDigit(expr.charAt(e)) || expr.charAt(e) == '_')) {
                    e++;
                }
                String word = expr.substring(k, e);
                int next = e;
                while (next < expr.length() && Character.isWhitespace(expr.charAt(next))) {
                    next++;
                }
                boolean call = next < expr.length() && expr.charAt(next) == '(';
                boolean attribute = previousChar == '.' || previousChar == '|';
                boolean test = previousWord.equals("is")
                        || previousWord.equals("not") && expr.substring(0, k).strip().endsWith("is not");
                if (!first && !call && !attribute && !test) {
                    names.add(word);
                }
                first = false;
                previousWord = word;
                previousChar = 'a';
                k = e - 1;
                continue;
            }
            if (!Character.isWhitespace(c)) {
                previousChar = c;
                previousWord = "";
            }
        }
    }

    /** Offset of {@code word} as a whole word outside strings and brackets, or -1. */
    static int findKeyword(String text, String word, int from) {
        int depth = 0;
        for (int k = from; k < text.length(); k++) {
            char c = text.charAt(k);
            switch (c) {
                case '\'', '"' -> k = stringEnd(text, k);
                case '(', '[', '{' -> depth++;
                case ')', ']', '}' -> depth--;
                default -> {
                    if (depth == 0 && text.startsWith(word, k)
                            && (k == 0 || !isWordChar(text.charAt(k - 1)))
                            && (k + word.length() >= text.length() || !isWordChar(text.charAt(k + word.length())))) {
                        return k;
                    }
                }
            }
        }
        return -1;
    }

    /**
     * Index of the quote that closes the string literal opening at {@code open} (backslash escapes
     * skipped), or the last index of {@code text} when the literal is not closed.
     */
    static int stringEnd(String text, int open) {
        char quote = text.charAt(open);
        for (int k = open + 1; k < text.length(); k++) {
            char c = text.charAt(k);
            if (c == '\\') {
                k++;
            } else if (c == quote) {
                return k;
            }
        }
        return text.length() - 1;
    }

    private static boolean isWordChar(char c) {
        return Character.isLetterOrDigit(c) || c == '_';
    }
}
