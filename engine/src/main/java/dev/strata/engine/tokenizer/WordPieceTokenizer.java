package dev.strata.engine.tokenizer;

import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;

/**
 * WordPiece ({@code tokenizer.ggml.model = bert}, BERT-style embedding models): text is
 * lower-cased with accents stripped, split at white space and around punctuation and CJK
 * characters, and each word, with a {@code ▁} phantom space in front, is covered greedily by the
 * longest vocabulary pieces; a word that cannot be covered becomes the unknown token. GGUF stores
 * BERT's {@code ##} continuation pieces bare and word-initial pieces with {@code ▁}. This follows
 * llama.cpp's {@code llm_tokenizer_wpm}; Wu et al., 2016, arXiv:1609.08144.
 */
final class WordPieceTokenizer extends VocabularyTokenizer {
    private static final byte[] PHANTOM_SPACE = "\u2581".getBytes(StandardCharsets.UTF_8);

    private final BytesMap ids;
    private final int maxTokenBytes;
    private final byte[][] bytesOf;

    WordPieceTokenizer(Vocabulary vocab) {
        super(vocab);
        ids = new BytesMap(vocab.size());
        int longest = 0;
        bytesOf = new byte[vocab.size()][];
        for (int id = 0; id < vocab.size(); id++) {
            byte[] utf8 = vocab.pieces[id].getBytes(StandardCharsets.UTF_8);
            ids.put(utf8, id);
            longest = Math.max(longest, utf8.length);
            bytesOf[id] = switch (vocab.types[id]) {
                case NORMAL -> vocab.pieces[id].replace(SentencePieceTokenizer.SPACE_MARK, ' ')
                        .getBytes(StandardCharsets.UTF_8);
                case USER_DEFINED -> utf8;
                case CONTROL, UNKNOWN, BYTE, UNUSED, UNDEFINED -> new byte[0];
            };
        }
        maxTokenBytes = longest;
    }

    static Vocabulary.Defaults defaults() {
        // [CLS]=101 starts, [SEP]=102 ends, [UNK]=100, [PAD]=0, [MASK]=103 in BERT's vocabulary
        return new Vocabulary.Defaults(new Vocabulary.SpecialIds(101, -1, -1, -1, 100, 102, 0, -1, 103),
                true, false, false);
    }

    @Override
    void encodeFragments(List<Object> fragments, boolean addSpecial, TokenIds out) {
        int start = vocab.special.bos() >= 0 ? vocab.special.bos() : vocab.special.cls();
        if (addSpecial && vocab.addBos && start >= 0) {
            out.add(start);
        }
        for (Object fragment : fragments) {
            if (fragment instanceof Integer id) {
                out.add(id);
            } else {
                for (String word : words((String) fragment)) {
                    encodeWord(word, out);
                }
            }
        }
        if (addSpecial && vocab.special.sep() >= 0) {
            out.add(vocab.special.sep());
        }
    }

    /** Greedy longest-match of {@code ▁word}; a position nothing matches makes the whole word unknown. */
    private void encodeWord(String word, TokenIds out) {
        byte[] utf8 = word.getBytes(StandardCharsets.UTF_8);
        byte[] text = new byte[PHANTOM_SPACE.length + utf8.length];
        System.arraycopy(PHANTOM_SPACE, 0, text, 0, PHANTOM_SPACE.length);
        System.arraycopy(utf8, 0, text, PHANTOM_SPACE.length, utf8.length);
        int before = out.size();
        for (int i = 0; i < text.length; ) {
            int match = -1;
            for (int j = Math.min(text.length, i + maxTokenBytes + 1); j > i && match < 0; j--) {
                int id = ids.get(text, i, j);
                if (id >= 0) {
                    out.add(id);
                    match = j;
                }
            }
            if (match < 0) {
                out.truncate(before);
                break;
            }
            i = match;
        }
        if (out.size() == before && vocab.special.unk() >= 0) {
            out.add(vocab.special.unk());
        }
    }

    /**
     * BERT's basic tokenizer as llama.cpp has it: each code point is reduced to the first code
     * point of its canonical decomposition (dropping accents), white space separates words,
     * NUL, U+FFFD and control characters vanish, everything is lower-cased, and punctuation, ASCII
     * symbols and CJK ideographs stand alone.
     */
    static List<String> words(String text) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        for (int i = 0; i < text.length(); ) {
            int cp = baseCodePoint(text.codePointAt(i));
            i += Character.charCount(text.codePointAt(i));
            if (CodepointClass.isWhitespace(cp)) {
                flush(word, words);
                continue;
            }
            CodepointClass c = CodepointClass.of(cp);
            if (cp == 0 || cp == 0xFFFD || c == CodepointClass.CONTROL) {
                continue;
            }
            int lower = Character.toLowerCase(cp);
            if (c == CodepointClass.PUNCTUATION || (cp < 0x7F && c == CodepointClass.SYMBOL) || isChinese(cp)) {
                flush(word, words);
                words.add(Character.toString(lower));
            } else {
                word.appendCodePoint(lower);
            }
        }
        flush(word, words);
        return words;
    }

    private static void flush(StringBuilder word, List<String> words) {
        if (!word.isEmpty()) {
            words.add(word.toString());
            word.setLength(0);
        }
    }

    private static int baseCodePoint(int cp) {
        if (cp < 0xC0) {
            return cp;
        }
        String nfd = Normalizer.normalize(Character.toString(cp), Normalizer.Form.NFD);
        return nfd.codePointAt(0);
    }

    /** The CJK ranges BERT treats as Chinese characters (as in Hugging Face's and llama.cpp's code). */
    private static boolean isChinese(int cp) {
        return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x20000 && cp <= 0x2A6DF)
                || (cp >= 0x2A700 && cp <= 0x2B73F) || (cp >= 0x2B740 && cp <= 0x2B81F)
                || (cp >= 0x2B920 && cp <= 0x2CEAF) || (cp >= 0xF900 && cp <= 0xFAFF)
                || (cp >= 0x2F800 && cp <= 0x2FA1F);
    }

    @Override
    public byte[] tokenBytes(int id) {
        return bytesOf[checkId(id)].clone();
    }

    /** Every word carries a phantom space, so decoding drops the first one. */
    @Override
    public boolean addsSpacePrefix() {
        return true;
    }
}
