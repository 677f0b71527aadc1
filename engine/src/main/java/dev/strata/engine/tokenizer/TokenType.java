package dev.strata.engine.tokenizer;

/**
 * The kind of a vocabulary entry, numbered as GGUF's {@code tokenizer.ggml.token_type} stores it
 * (llama.cpp's {@code llama_token_type}).
 */
public enum TokenType {
    UNDEFINED,
    NORMAL,
    UNKNOWN,
    CONTROL,
    USER_DEFINED,
    UNUSED,
    BYTE;

    private static final TokenType[] BY_ID = values();

    /** The type stored as {@code id}; ids outside the known range read as {@link #UNDEFINED}. */
    public static TokenType fromId(int id) {
        return id >= 0 && id < BY_ID.length ? BY_ID[id] : UNDEFINED;
    }

    /** Control, user-defined and unknown tokens are matched as whole strings before the text is split. */
    boolean isSpecialText() {
        return this == CONTROL || this == USER_DEFINED || this == UNKNOWN;
    }

    /** Control and unknown tokens are recognised in text only when the caller asks to parse special tokens. */
    boolean needsParseSpecial() {
        return this == CONTROL || this == UNKNOWN;
    }
}
