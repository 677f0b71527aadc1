package dev.strata.engine.tokenizer;

/** UTF-8 facts the tokenizers need, on bytes and on Java strings. */
final class Utf8 {
    private Utf8() {}

    /** Length of the UTF-8 sequence that starts with {@code lead} (1 for continuation or invalid bytes), as llama.cpp's {@code unicode_len_utf8}. */
    static int sequenceLength(byte lead) {
        int b = lead & 0xFF;
        if (b < 0x80) {
            return 1;
        }
        if (b < 0xC0) {
            return 1;
        }
        if (b < 0xE0) {
            return 2;
        }
        if (b < 0xF0) {
            return 3;
        }
        return b < 0xF8 ? 4 : 1;
    }

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
