package dev.strata.engine.tokenizer;

/**
 * Hand-written equivalents of the three pre-tokenizer regexes most models use (GPT-2's, Llama 3's
 * and Qwen2's), run on {@link RegexSplitter}'s collapsed text. They return exactly the words the
 * regexes would (a differential test checks this on random text) several times faster, as
 * llama.cpp's {@code unicode_regex_split_custom_gpt2/llama3} do for the same reason.
 */
enum WordScanner {
    /** {@code 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)}. */
    GPT2(0),
    /** Llama 3: case-insensitive contractions, {@code [^\r\n\p{L}\p{N}]?\p{L}+}, {@code \p{N}{1,3}}, ... */
    LLAMA3(3),
    /** Qwen2: as Llama 3 but numbers one digit at a time ({@code \p{N}}). */
    QWEN2(1);

    private static final byte OTHER = 0;
    private static final byte LETTER = 1;
    private static final byte NUMBER = 2;
    private static final byte SPACE = 3;
    /** Class of each collapsed character (all are below 256). */
    private static final byte[] CLASS = new byte[256];

    static {
        for (int c = 0; c < 256; c++) {
            CLASS[c] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == 0xD2 ? LETTER
                    : (c >= '0' && c <= '9') || c == 0xD1 ? NUMBER
                    : c == ' ' || (c >= 0x09 && c <= 0x0D) ? SPACE : OTHER;
        }
    }

    private final int maxDigits;

    WordScanner(int maxDigits) {
        this.maxDigits = maxDigits;
    }

    /** The scanner equivalent to {@code regex}, or null. */
    static WordScanner forRegex(String regex) {
        if (regex.equals(PreTokenizer.Regexes.GPT2_WORDS)) {
            return GPT2;
        }
        if (regex.equals(PreTokenizer.Regexes.LLAMA3.getFirst())) {
            return LLAMA3;
        }
        if (regex.equals(PreTokenizer.Regexes.QWEN2.getFirst())) {
            return QWEN2;
        }
        return null;
    }

    /** Appends the lengths of the words of {@code t[start, end)} to {@code out}. */
    void split(String t, int start, int end, TokenIds out) {
        for (int pos = start; pos < end; ) {
            int next = this == GPT2 ? nextGpt2(t, pos, end) : nextLlama3(t, pos, end);
            out.add(next - pos);
            pos = next;
        }
    }

    private static int cls(String t, int i) {
        return CLASS[t.charAt(i)];
    }

    private static int nextGpt2(String t, int pos, int end) {
        char c = t.charAt(pos);
        if (c == '\'' && pos + 1 < end) {
            int contraction = contraction(t, pos, end, false);
            if (contraction > 0) {
                return contraction;
            }
        }
        int p = c == ' ' && pos + 1 < end ? pos + 1 : pos; // " ?" in front of the next three
        int k = cls(t, p);
        if (k != SPACE) {
            int q = p + 1;
            while (q < end && cls(t, q) == k) {
                q++;
            }
            return q;
        }
        return whitespace(t, pos, end);
    }

    private int nextLlama3(String t, int pos, int end) {
        char c = t.charAt(pos);
        if (c == '\'' && pos + 1 < end) {
            int contraction = contraction(t, pos, end, true);
            if (contraction > 0) {
                return contraction;
            }
        }
        int k = cls(t, pos);
        // [^\r\n\p{L}\p{N}]?\p{L}+
        if (k == LETTER || (c != '\r' && c != '\n' && k != NUMBER && pos + 1 < end && cls(t, pos + 1) == LETTER)) {
            int q = pos + 1;
            while (q < end && cls(t, q) == LETTER) {
                q++;
            }
            return q;
        }
        // \p{N}{1,maxDigits}
        if (k == NUMBER) {
            int q = pos + 1;
            while (q < end && q - pos < maxDigits && cls(t, q) == NUMBER) {
                q++;
            }
            return q;
        }
        // " ?[^\s\p{L}\p{N}]+[\r\n]*"
        int p = c == ' ' && pos + 1 < end && cls(t, pos + 1) == OTHER ? pos + 1 : pos;
        if (cls(t, p) == OTHER) {
            int q = p + 1;
            while (q < end && cls(t, q) == OTHER) {
                q++;
            }
            while (q < end && (t.charAt(q) == '\r' || t.charAt(q) == '\n')) {
                q++;
            }
            return q;
        }
        // \s*[\r\n]+ : white space up to and including its last line break
        int lastBreak = -1;
        for (int q = pos; q < end && cls(t, q) == SPACE; q++) {
            if (t.charAt(q) == '\r' || t.charAt(q) == '\n') {
                lastBreak = q;
            }
        }
        return lastBreak >= 0 ? lastBreak + 1 : whitespace(t, pos, end);
    }

    /** {@code \s+(?!\S)}, else {@code \s+} (or the one-character gap a lone space before text is). */
    private static int whitespace(String t, int pos, int end) {
        int q = pos;
        while (q < end && cls(t, q) == SPACE) {
            q++;
        }
        if (q == end) {
            return q;
        }
        return q - pos > 1 ? q - 1 : pos + 1;
    }

    /** End of {@code 's 't 're 've 'm 'll 'd} at {@code pos}, or 0. */
    private static int contraction(String t, int pos, int end, boolean anyCase) {
        char a = lower(t.charAt(pos + 1), anyCase);
        if (a == 's' || a == 't' || a == 'm' || a == 'd') {
            return pos + 2;
        }
        if (pos + 2 < end) {
            char b = lower(t.charAt(pos + 2), anyCase);
            if ((a == 'r' && b == 'e') || (a == 'v' && b == 'e') || (a == 'l' && b == 'l')) {
                return pos + 3;
            }
        }
        return 0;
    }

    private static char lower(char c, boolean anyCase) {
        return anyCase && c >= 'A' && c <= 'Z' ? (char) (c + 32) : c;
    }
}
