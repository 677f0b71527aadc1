package dev.strata.engine.tokenizer;

/**
 * The Unicode facts pre-tokenizers test, as llama.cpp's {@code unicode_cpt_flags} defines them:
 * a general-category group (number, letter, separator, mark, punctuation, symbol, control,
 * undefined) plus a white-space flag taken from the Unicode {@code White_Space} property.
 * Categories come from the JDK's Unicode tables.
 */
enum CodepointClass {
    UNDEFINED, NUMBER, LETTER, SEPARATOR, MARK, PUNCTUATION, SYMBOL, CONTROL;

    private static final CodepointClass[] ASCII = new CodepointClass[128];

    static {
        for (int c = 0; c < 128; c++) {
            ASCII[c] = compute(c);
        }
    }

    static CodepointClass of(int cp) {
        return cp < 128 ? ASCII[cp] : compute(cp);
    }

    /** Unicode {@code White_Space}: the set llama.cpp's {@code unicode_set_whitespace} holds. */
    static boolean isWhitespace(int cp) {
        if (cp < 128) {
            return cp == ' ' || (cp >= 0x09 && cp <= 0x0D);
        }
        return cp == 0x85 || cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028
                || cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000;
    }

    private static CodepointClass compute(int cp) {
        return switch (Character.getType(cp)) {
            case Character.DECIMAL_DIGIT_NUMBER, Character.LETTER_NUMBER, Character.OTHER_NUMBER -> NUMBER;
            case Character.UPPERCASE_LETTER, Character.LOWERCASE_LETTER, Character.TITLECASE_LETTER,
                    Character.MODIFIER_LETTER, Character.OTHER_LETTER -> LETTER;
            case Character.SPACE_SEPARATOR, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR -> SEPARATOR;
            case Character.NON_SPACING_MARK, Character.ENCLOSING_MARK, Character.COMBINING_SPACING_MARK -> MARK;
            case Character.CONNECTOR_PUNCTUATION, Character.DASH_PUNCTUATION, Character.START_PUNCTUATION,
                    Character.END_PUNCTUATION, Character.INITIAL_QUOTE_PUNCTUATION,
                    Character.FINAL_QUOTE_PUNCTUATION, Character.OTHER_PUNCTUATION -> PUNCTUATION;
            case Character.MATH_SYMBOL, Character.CURRENCY_SYMBOL, Character.MODIFIER_SYMBOL,
                    Character.OTHER_SYMBOL -> SYMBOL;
            case Character.CONTROL, Character.FORMAT, Character.PRIVATE_USE, Character.SURROGATE -> CONTROL;
            default -> UNDEFINED;
        };
    }
}
