package dev.strata.engine.tokenizer;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits text into words with a list of regexes applied in turn, each one splitting every piece
 * the previous ones left into its matches and the gaps between them (nothing is dropped). This
 * is llama.cpp's {@code unicode_regex_split}, including how it runs Unicode classes on an engine
 * without them: when a regex uses {@code \p{N} \p{L} \p{P} \p{M} \p{S}}, every non-ASCII code
 * point is "collapsed" to one stand-in character per class (white space to U+000B) and each
 * {@code \p{X}} becomes a class of that stand-in plus the ASCII members llama.cpp lists.
 * Reproducing that, rather than using {@code java.util.regex}'s own Unicode classes, is what
 * makes the splits identical to llama.cpp's (e.g. its {@code \p{S}} does not cover ASCII '~').
 * Thread-safe; matchers are made per call.
 */
final class RegexSplitter {
    private static final char COLLAPSED_WHITESPACE = 0x0B;
    private static final char COLLAPSED_OTHER = 0xD0;

    /**
     * One regex of the list: compiled for the collapsed text or for the plain text, or replaced by
     * a hand-written {@link WordScanner} (which always runs on the collapsed text).
     */
    private record Step(Pattern pattern, boolean collapsed, WordScanner scanner) {}

    private final Step[] steps;
    private final boolean needsCollapsed;

    RegexSplitter(List<String> regexes) {
        this(regexes, true);
    }

    /** With {@code useScanners} false every regex runs as a regex (the reference the scanners are tested against). */
    RegexSplitter(List<String> regexes, boolean useScanners) {
        steps = new Step[regexes.size()];
        boolean anyCollapsed = false;
        for (int i = 0; i < steps.length; i++) {
            String regex = regexes.get(i);
            boolean collapsed = usesUnicodeClass(regex);
            anyCollapsed |= collapsed;
            WordScanner scanner = useScanners && collapsed ? WordScanner.forRegex(regex) : null;
            steps[i] = new Step(Pattern.compile(translate(regex, collapsed)), collapsed, scanner);
        }
        needsCollapsed = anyCollapsed;
    }

    /**
     * Word lengths, in code points, of {@code text} (which has no lone surrogates); they add up
     * to the number of code points.
     */
    TokenIds split(String text) {
        int numCodePoints = text.codePointCount(0, text.length());
        boolean bmpOnly = numCodePoints == text.length();
        // char index of each code point (only needed when there are surrogate pairs)
        int[] charIndex = bmpOnly ? null : charIndexOfCodePoints(text, numCodePoints);
        String collapsed = needsCollapsed ? collapse(text, numCodePoints) : null;
        String plain = null;

        TokenIds lengths = new TokenIds(16);
        lengths.add(numCodePoints);
        for (Step step : steps) {
            if (step.scanner() != null) {
                lengths = scanAll(step.scanner(), collapsed, lengths);
                continue;
            }
            String subject;
            int[] index;
            if (step.collapsed()) {
                subject = collapsed;
                index = null; // one char per code point
            } else {
                if (plain == null) {
                    plain = whitespaceToVerticalTab(text);
                }
                subject = plain;
                index = charIndex;
            }
            lengths = splitAll(step.pattern().matcher(subject), index, lengths);
        }
        return lengths;
    }

    private static TokenIds splitAll(Matcher m, int[] charIndex, TokenIds lengths) {
        TokenIds out = new TokenIds(lengths.size() * 2 + 8);
        int start = 0;
        for (int w = 0; w < lengths.size(); w++) {
            int length = lengths.get(w);
            int end = start + length;
            m.region(toChar(charIndex, start), toChar(charIndex, end));
            int done = start;
            while (m.find()) {
                int matchStart = toCodePoint(charIndex, m.start());
                int matchEnd = toCodePoint(charIndex, m.end());
                if (matchStart > done) {
                    out.add(matchStart - done);
                }
                if (matchEnd > matchStart) {
                    out.add(matchEnd - matchStart);
                }
                done = matchEnd;
            }
            if (done < end) {
                out.add(end - done);
            }
            start = end;
        }
        return out;
    }

    private static TokenIds scanAll(WordScanner scanner, String collapsed, TokenIds lengths) {
        TokenIds out = new TokenIds(lengths.size() * 2 + 8);
        int start = 0;
        for (int w = 0; w < lengths.size(); w++) {
            int end = start + lengths.get(w);
            scanner.split(collapsed, start, end, out);
            start = end;
        }
        return out;
    }

    private static int toChar(int[] charIndex, int codePoint) {
        return charIndex == null ? codePoint : charIndex[codePoint];
    }

    private static int toCodePoint(int[] charIndex, int charPos) {
        if (charIndex == null) {
            return charPos;
        }
        int i = java.util.Arrays.binarySearch(charIndex, charPos);
        if (i < 0) {
            throw new IllegalStateException("match boundary inside a surrogate pair");
        }
        return i;
    }

    private static int[] charIndexOfCodePoints(String text, int numCodePoints) {
        int[] index = new int[numCodePoints + 1];
        int c = 0;
        for (int i = 0; i < numCodePoints; i++) {
            index[i] = c;
            c += Character.charCount(text.codePointAt(c));
        }
        index[numCodePoints] = c;
        return index;
    }

    /** One char per code point: ASCII as is, white space as U+000B, others as their class's stand-in. */
    static String collapse(String text, int numCodePoints) {
        char[] out = new char[numCodePoints];
        int n = 0;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            out[n++] = cp < 128 ? (char) cp : collapsedChar(cp);
        }
        return new String(out);
    }

    private static char collapsedChar(int cp) {
        if (CodepointClass.isWhitespace(cp)) {
            return COLLAPSED_WHITESPACE;
        }
        return switch (CodepointClass.of(cp)) {
            case NUMBER -> 0xD1;
            case LETTER -> 0xD2;
            case PUNCTUATION -> 0xD3;
            case MARK -> 0xD4;
            case SYMBOL -> 0xD5;
            default -> COLLAPSED_OTHER;
        };
    }

    /** Non-ASCII white space becomes U+000B, which {@code \s} matches (llama.cpp does the same for std::wregex). */
    private static String whitespaceToVerticalTab(String text) {
        char[] chars = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c > 0x7F && CodepointClass.isWhitespace(c)) {
                if (chars == null) {
                    chars = text.toCharArray();
                }
                chars[i] = COLLAPSED_WHITESPACE;
            }
        }
        return chars == null ? text : new String(chars);
    }

    private static boolean usesUnicodeClass(String regex) {
        for (String c : new String[] {"\\p{N}", "\\p{L}", "\\p{P}", "\\p{M}", "\\p{S}"}) {
            if (regex.contains(c)) {
                return true;
            }
        }
        return false;
    }

    /** The members of {@code \p{X}} in the collapsed text: the stand-in and the ASCII characters llama.cpp lists. */
    private static String collapsedClass(char category) {
        return switch (category) {
            case 'N' -> "\\x{D1}0-9";
            case 'L' -> "\\x{D2}A-Za-z";
            case 'P' -> "\\x{D3}!-#%-*,-/:-;?-@\\[-\\]_\\{\\}";
            case 'M' -> "\\x{D4}";
            case 'S' -> "\\x{D5}\\$\\+<->\\^`\\|";
            default -> null;
        };
    }

    /**
     * The Java form of a llama.cpp (ECMAScript) regex: Unicode classes replaced by their collapsed
     * stand-ins when {@code collapsed}, and {@code $} as end of input only (ECMAScript's meaning).
     */
    static String translate(String regex, boolean collapsed) {
        StringBuilder out = new StringBuilder(regex.length() + 32);
        boolean inside = false;
        for (int i = 0; i < regex.length(); i++) {
            char c = regex.charAt(i);
            // escape pairs are consumed whole below, so c itself is never escaped here
            if (c == '[') {
                inside = true;
            } else if (c == ']' && inside) {
                inside = false;
            } else if (c == '$' && !inside) {
                out.append("\\z");
                continue;
            } else if (c == '\\' && collapsed && i + 4 < regex.length() && regex.charAt(i + 1) == 'p'
                    && regex.charAt(i + 2) == '{' && regex.charAt(i + 4) == '}') {
                String members = collapsedClass(regex.charAt(i + 3));
                if (members != null) {
                    out.append(inside ? members : "[" + members + "]");
                    i += 4;
                    continue;
                }
            } else if (c == '\\' && i + 1 < regex.length()) {
                out.append(c).append(regex.charAt(++i)); // keep an escape pair together
                continue;
            }
            out.append(c);
        }
        return out.toString();
    }
}
