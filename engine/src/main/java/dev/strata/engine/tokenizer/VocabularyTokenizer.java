package dev.strata.engine.tokenizer;

import java.util.List;

/**
 * What every GGUF tokenizer shares: the {@link Vocabulary}, splitting out special tokens, and
 * decoding through {@link TokenDecoder}. Subclasses supply how a run of plain text becomes ids
 * and what bytes a normal token stands for.
 */
abstract sealed class VocabularyTokenizer implements Tokenizer
        permits SentencePieceTokenizer, ByteLevelBpeTokenizer, WordPieceTokenizer {

    final Vocabulary vocab;

    VocabularyTokenizer(Vocabulary vocab) {
        this.vocab = vocab;
    }

    @Override
    public final int[] encode(String text, boolean addSpecial, boolean parseSpecial) {
        String clean = Utf8.withoutLoneSurrogates(text);
        TokenIds out = new TokenIds(clean.length() / 3 + 4);
        encodeFragments(vocab.partition(clean, parseSpecial), addSpecial, out);
        return out.toArray();
    }

    /**
     * Appends the ids of {@code fragments} (a {@link String} of text or an {@link Integer} special
     * token each) to {@code out}, with BOS/EOS when {@code addSpecial} and the vocabulary asks for them.
     */
    abstract void encodeFragments(List<Object> fragments, boolean addSpecial, TokenIds out);

    @Override
    public final int vocabSize() {
        return vocab.size();
    }

    @Override
    public final String piece(int id) {
        return vocab.pieces[checkId(id)];
    }

    @Override
    public final String decode(int[] ids) {
        TokenDecoder decoder = new TokenDecoder(this);
        StringBuilder sb = new StringBuilder(ids.length * 4);
        for (int id : ids) {
            sb.append(decoder.next(id));
        }
        return sb.append(decoder.flush()).toString();
    }

    @Override
    public final int bosId() {
        return vocab.special.bos();
    }

    @Override
    public final int eosId() {
        return vocab.special.eos();
    }

    @Override
    public final boolean isEndOfGeneration(int id) {
        return vocab.isEndOfGeneration(id);
    }

    @Override
    public final boolean isSpecial(int id) {
        checkId(id);
        return vocab.types[id] != TokenType.NORMAL && vocab.types[id] != TokenType.BYTE;
    }

    @Override
    public final TokenType tokenType(int id) {
        return vocab.types[checkId(id)];
    }

    @Override
    public boolean addsSpacePrefix() {
        return false;
    }

    final int checkId(int id) {
        if (id < 0 || id >= vocab.size()) {
            throw new IllegalArgumentException("token id " + id + " is outside the vocabulary of " + vocab.size());
        }
        return id;
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + vocab + "]";
    }
}
