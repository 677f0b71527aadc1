package dev.strata.engine.tokenizer;

/** Making Java strings encodable: UTF-8 has no form for an unpaired surrogate. */
final class Utf8 {
    private Utf8() {}

    /** {@code s} with every unpaired surrogate replaced by U+FFFD, so that it has a UTF-8 form. */
    static String withoutLoneSurrogates(String s) {
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                    continue;
                }
                return replaceFrom(s, i);
            }
        }
        return s;
    }

    private static String replaceFrom(String s, int from) {
        StringBuilder sb = new StringBuilder(s.length()).append(s, 0, from);
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                sb.append(c).append(s.charAt(++i));
            } else {
                sb.append(Character.isSurrogate(c) ? '\uFFFD' : c);
            }
        }
        return sb.toString();
    }
}
