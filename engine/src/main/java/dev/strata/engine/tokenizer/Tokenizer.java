package dev.strata.engine.tokenizer;

/**
 * Text to token ids and back, for one model's vocabulary (built from GGUF metadata alone).
 * Implementations are immutable and thread-safe. {@link Tokenizers#fromGguf} builds one.
 */
public interface Tokenizer {

    int vocabSize();

    /**
     * Token ids of {@code text}.
     *
     * @param addSpecial   add BOS/EOS as the vocabulary's {@code add_bos_token}/{@code add_eos_token} say
     * @param parseSpecial recognise special/control tokens written in the text (chat templates do; user text does not)
     */
    int[] encode(String text, boolean addSpecial, boolean parseSpecial);

    /** The raw bytes token {@code id} stands for when decoded (empty for control tokens). */
    byte[] tokenBytes(int id);

    /** The vocabulary's own string for {@code id} (e.g. "▁the", "<0x0A>", "<s>"). */
    String piece(int id);

    /** Text of {@code ids}, the inverse of {@link #encode} (control tokens render as nothing). */
    String decode(int[] ids);

    /** Beginning-of-sequence id, or -1 if the vocabulary has none. */
    int bosId();

    /** End-of-sequence id, or -1. */
    int eosId();

    /** True for ids that end a generation (EOS, end-of-turn and similar). */
    boolean isEndOfGeneration(int id);

    /** True when token {@code id} is a control/special token. */
    boolean isSpecial(int id);

    /** The vocabulary's type of token {@code id}. */
    default TokenType tokenType(int id) {
        return isSpecial(id) ? TokenType.CONTROL : TokenType.NORMAL;
    }

    /**
     * True when {@link #encode} puts a space before text that starts the input or follows a special
     * token (SentencePiece's dummy prefix), so that decoding drops one leading space there.
     */
    default boolean addsSpacePrefix() {
        return false;
    }
}
