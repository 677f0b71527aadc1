package dev.strata.engine.template;

import com.hubspot.jinjava.el.ext.NamedParameter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Python's {@code str} methods as chat templates call them ({@code content.strip()},
 * {@code text.split('</think>')[-1]}, {@code name.startswith(('a', 'b'))}, {@code '{}'.format(x)}).
 * Each follows CPython's documented behaviour; an unknown name returns
 * {@link PythonMethods#NOT_HANDLED} so Jinjava can try a Java method.
 */
final class PyStrings {

    private PyStrings() {}

    static Object call(String s, String name, Object[] rawArgs) {
        List<Object> args = new ArrayList<>();
        Map<String, Object> kwargs = new java.util.LinkedHashMap<>();
        for (Object a : rawArgs) {
            if (a instanceof NamedParameter p) {
                kwargs.put(p.getName(), p.getValue());
            } else {
                args.add(a);
            }
        }
        return switch (name) {
            case "strip" -> strip(s, chars(args, 0), true, true);
            case "lstrip" -> strip(s, chars(args, 0), true, false);
            case "rstrip" -> strip(s, chars(args, 0), false, true);
            case "split" -> split(s, arg(args, kwargs, 0, "sep"), maxsplit(args, kwargs));
            case "rsplit" -> rsplit(s, arg(args, kwargs, 0, "sep"), maxsplit(args, kwargs));
            case "splitlines" -> splitlines(s);
            case "startswith" -> affix(s, args.isEmpty() ? null : args.get(0), true);
            case "endswith" -> affix(s, args.isEmpty() ? null : args.get(0), false);
            case "replace" -> replace(s, str(args, 0), str(args, 1), args.size() > 2 ? ((Number) args.get(2)).intValue() : -1);
            case "upper" -> s.toUpperCase(java.util.Locale.ROOT);
            case "lower" -> s.toLowerCase(java.util.Locale.ROOT);
            case "title" -> title(s);
            case "capitalize" -> s.isEmpty() ? s
                    : s.substring(0, 1).toUpperCase(java.util.Locale.ROOT) + s.substring(1).toLowerCase(java.util.Locale.ROOT);
            case "swapcase" -> swapcase(s);
            case "format" -> format(s, args, kwargs);
            case "join" -> join(s, args.isEmpty() ? null : args.get(0));
            case "find" -> (long) s.indexOf(str(args, 0));
            case "rfind" -> (long) s.lastIndexOf(str(args, 0));
            case "index" -> {
                int i = s.indexOf(str(args, 0));
                if (i < 0) {
                    throw new TemplateRaise.TypeError("substring not found");
                }
                yield (long) i;
            }
            case "count" -> count(s, str(args, 0));
            case "isdigit", "isnumeric", "isdecimal" -> !s.isEmpty() && s.chars().allMatch(Character::isDigit);
            case "isalpha" -> !s.isEmpty() && s.codePoints().allMatch(Character::isLetter);
            case "isalnum" -> !s.isEmpty() && s.codePoints().allMatch(Character::isLetterOrDigit);
            case "isspace" -> !s.isEmpty() && s.codePoints().allMatch(PyStrings::isSpace);
            case "islower" -> s.codePoints().anyMatch(Character::isLowerCase)
                    && s.codePoints().noneMatch(Character::isUpperCase);
            case "isupper" -> s.codePoints().anyMatch(Character::isUpperCase)
                    && s.codePoints().noneMatch(Character::isLowerCase);
            case "zfill" -> zfill(s, ((Number) args.get(0)).intValue());
            case "center" -> pad(s, ((Number) args.get(0)).intValue(), fill(args), 0);
            case "ljust" -> pad(s, ((Number) args.get(0)).intValue(), fill(args), -1);
            case "rjust" -> pad(s, ((Number) args.get(0)).intValue(), fill(args), 1);
            case "removeprefix" -> s.startsWith(str(args, 0)) ? s.substring(str(args, 0).length()) : s;
            case "removesuffix" -> !str(args, 0).isEmpty() && s.endsWith(str(args, 0))
                    ? s.substring(0, s.length() - str(args, 0).length()) : s;
            default -> PythonMethods.NOT_HANDLED;
        };
    }

    private static Object arg(List<Object> args, Map<String, Object> kwargs, int i, String name) {
        return i < args.size() ? args.get(i) : kwargs.get(name);
    }

    private static int maxsplit(List<Object> args, Map<String, Object> kwargs) {
        Object m = arg(args, kwargs, 1, "maxsplit");
        return m instanceof Number n ? n.intValue() : -1;
    }

    private static String chars(List<Object> args, int i) {
        return i < args.size() && args.get(i) != null ? args.get(i).toString() : null;
    }

    private static String str(List<Object> args, int i) {
        if (i >= args.size() || !PythonMethods.isStringLike(args.get(i))) {
            throw new TemplateRaise.TypeError("must be str, not " + (i >= args.size() ? "nothing"
                    : PyValues.typeName(args.get(i)).replace(" object", "")));
        }
        return args.get(i).toString();
    }

    private static String fill(List<Object> args) {
        return args.size() > 1 ? args.get(1).toString() : " ";
    }

    /** Python's {@code str.isspace} for one code point. */
    static boolean isSpace(int cp) {
        return Character.isWhitespace(cp) || Character.isSpaceChar(cp) || (cp >= 0x1c && cp <= 0x1f) || cp == 0x85;
    }

    static String strip(String s, String chars, boolean left, boolean right) {
        int start = 0;
        int end = s.length();
        if (left) {
            while (start < end && stripped(s.charAt(start), chars)) {
                start++;
            }
        }
        if (right) {
            while (end > start && stripped(s.charAt(end - 1), chars)) {
                end--;
            }
        }
        return s.substring(start, end);
    }

    private static boolean stripped(char c, String chars) {
        return chars == null ? isSpace(c) : chars.indexOf(c) >= 0;
    }

    static List<Object> split(String s, Object sep, int maxsplit) {
        List<Object> parts = new ArrayList<>();
        if (sep == null) {
            int i = 0;
            int n = s.length();
            while (true) {
                while (i < n && isSpace(s.charAt(i))) {
                    i++;
                }
                if (i >= n) {
                    break;
                }
                if (maxsplit >= 0 && parts.size() == maxsplit) {
                    parts.add(strip(s.substring(i), null, false, true));
                    break;
                }
                int j = i;
                while (j < n && !isSpace(s.charAt(j))) {
                    j++;
                }
                parts.add(s.substring(i, j));
                i = j;
            }
            return parts;
        }
        String separator = sep.toString();
        if (separator.isEmpty()) {
            throw new TemplateRaise.TypeError("empty separator");
        }
        int from = 0;
        while (maxsplit < 0 || parts.size() < maxsplit) {
            int at = s.indexOf(separator, from);
            if (at < 0) {
                break;
            }
            parts.add(s.substring(from, at));
            from = at + separator.length();
        }
        parts.add(s.substring(from));
        return parts;
    }

    static List<Object> rsplit(String s, Object sep, int maxsplit) {
        if (maxsplit < 0) {
            return split(s, sep, maxsplit);
        }
        List<Object> parts = new ArrayList<>();
        if (sep == null) {
            String rest = strip(s, null, false, true);
            while (parts.size() < maxsplit) {
                int j = rest.length();
                int i = j;
                while (i > 0 && !isSpace(rest.charAt(i - 1))) {
                    i--;
                }
                if (i == 0) {
                    break;
                }
                parts.addFirst(rest.substring(i, j));
                rest = strip(rest.substring(0, i), null, false, true);
            }
            if (!rest.isEmpty()) {
                parts.addFirst(rest);
            }
            return parts;
        }
        String separator = sep.toString();
        if (separator.isEmpty()) {
            throw new TemplateRaise.TypeError("empty separator");
        }
        int end = s.length();
        while (parts.size() < maxsplit) {
            int at = s.lastIndexOf(separator, end - separator.length());
            if (at < 0) {
                break;
            }
            parts.addFirst(s.substring(at + separator.length(), end));
            end = at;
        }
        parts.addFirst(s.substring(0, end));
        return parts;
    }

    private static List<Object> splitlines(String s) {
        List<Object> lines = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\n' || c == '\r') {
                lines.add(s.substring(start, i));
                if (c == '\r' && i + 1 < s.length() && s.charAt(i + 1) == '\n') {
                    i++;
                }
                start = i + 1;
            }
        }
        if (start < s.length()) {
            lines.add(s.substring(start));
        }
        return lines;
    }

    private static boolean affix(String s, Object what, boolean prefix) {
        if (what instanceof Collection<?> options) {
            for (Object o : options) {
                if (affix(s, o, prefix)) {
                    return true;
                }
            }
            return false;
        }
        if (!PythonMethods.isStringLike(what)) {
            throw new TemplateRaise.TypeError((prefix ? "startswith" : "endswith")
                    + " first arg must be str or a tuple of str, not " + PyValues.typeName(what).replace(" object", ""));
        }
        return prefix ? s.startsWith(what.toString()) : s.endsWith(what.toString());
    }

    private static String replace(String s, String old, String replacement, int count) {
        if (count < 0) {
            if (old.isEmpty()) {
                StringBuilder sb = new StringBuilder(replacement);
                s.codePoints().forEach(cp -> sb.appendCodePoint(cp).append(replacement));
                return sb.toString();
            }
            return s.replace(old, replacement);
        }
        StringBuilder sb = new StringBuilder();
        int from = 0;
        int done = 0;
        while (done < count && !old.isEmpty()) {
            int at = s.indexOf(old, from);
            if (at < 0) {
                break;
            }
            sb.append(s, from, at).append(replacement);
            from = at + old.length();
            done++;
        }
        return sb.append(s.substring(from)).toString();
    }

    /** Python's {@code str.title}: a letter after a non-letter is upper case, every other letter lower. */
    static String title(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        boolean previousCased = false;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            if (Character.isLetter(cp)) {
                sb.appendCodePoint(previousCased ? Character.toLowerCase(cp) : Character.toTitleCase(cp));
                previousCased = true;
            } else {
                sb.appendCodePoint(cp);
                previousCased = false;
            }
            i += Character.charCount(cp);
        }
        return sb.toString();
    }

    private static String swapcase(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        s.codePoints().forEach(cp -> sb.appendCodePoint(
                Character.isUpperCase(cp) ? Character.toLowerCase(cp) : Character.toUpperCase(cp)));
        return sb.toString();
    }

    private static String join(String sep, Object items) {
        StringBuilder sb = new StringBuilder();
        boolean first = true;
        for (Object o : PyValues.iterate(items)) {
            if (!first) {
                sb.append(sep);
            }
            first = false;
            if (!PythonMethods.isStringLike(o)) {
                throw new TemplateRaise.TypeError("sequence item: expected str instance, "
                        + PyValues.typeName(o).replace(" object", "") + " found");
            }
            sb.append(o);
        }
        return sb.toString();
    }

    private static long count(String s, String sub) {
        if (sub.isEmpty()) {
            return s.codePointCount(0, s.length()) + 1L;
        }
        long n = 0;
        for (int at = s.indexOf(sub); at >= 0; at = s.indexOf(sub, at + sub.length())) {
            n++;
        }
        return n;
    }

    private static String zfill(String s, int width) {
        if (s.length() >= width) {
            return s;
        }
        int signLength = !s.isEmpty() && (s.charAt(0) == '-' || s.charAt(0) == '+') ? 1 : 0;
        return s.substring(0, signLength) + "0".repeat(width - s.length()) + s.substring(signLength);
    }

    private static String pad(String s, int width, String fill, int align) {
        int missing = width - s.length();
        if (missing <= 0) {
            return s;
        }
        return switch (align) {
            case -1 -> s + fill.repeat(missing);
            case 1 -> fill.repeat(missing) + s;
            default -> {
                int left = missing / 2 + (missing & width & 1);
                yield fill.repeat(left) + s + fill.repeat(missing - left);
            }
        };
    }

    /** {@code str.format} with {@code {}}, {@code {0}} and {@code {name}} fields ({@code {{ }}} escape braces). */
    private static String format(String s, List<Object> args, Map<String, Object> kwargs) {
        StringBuilder sb = new StringBuilder();
        int auto = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '{' && i + 1 < s.length() && s.charAt(i + 1) == '{') {
                sb.append('{');
                i++;
            } else if (c == '}' && i + 1 < s.length() && s.charAt(i + 1) == '}') {
                sb.append('}');
                i++;
            } else if (c == '{') {
                int close = s.indexOf('}', i);
                if (close < 0) {
                    throw new TemplateRaise.TypeError("Single '{' encountered in format string");
                }
                String field = s.substring(i + 1, close);
                int colon = field.indexOf(':');
                if (colon >= 0) {
                    field = field.substring(0, colon);
                }
                Object value;
                if (field.isEmpty()) {
                    value = args.get(auto++);
                } else if (field.chars().allMatch(Character::isDigit)) {
                    value = args.get(Integer.parseInt(field));
                } else {
                    value = kwargs.get(field);
                }
                sb.append(PyValues.str(value));
                i = close;
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
