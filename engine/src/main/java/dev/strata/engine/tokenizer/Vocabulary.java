package dev.strata.engine.tokenizer;

import dev.strata.engine.EngineException;
import dev.strata.engine.gguf.GgufFile;
import dev.strata.engine.gguf.GgufValue;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The token table of one model as GGUF stores it ({@code tokenizer.ggml.tokens}, {@code scores},
 * {@code token_type}) with its special ids and flags, shared by every tokenizer algorithm.
 * Immutable after construction.
 *
 * <p>Special ids and the end-of-generation set follow llama.cpp's {@code llama_vocab::load}:
 * metadata first, then well-known token texts ({@code <|eot_id|>}, {@code <|im_end|>} ...) for
 * end-of-turn detection; such tokens are promoted to control tokens.
 */
final class Vocabulary {
    /** Token texts that end a turn when the file names no end-of-turn id (llama.cpp's list). */
    private static final List<String> END_OF_TURN_TEXTS = List.of(
            "<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>", "<|end_of_text|>",
            "<EOT>", "_<EOT>", "<｜end▁of▁sentence｜>", "<end_of_utterance>");
    /** Token texts that end a generation in any model that has them (llama.cpp's list). */
    private static final List<String> END_OF_GENERATION_TEXTS = List.of(
            "<|eot_id|>", "<|im_end|>", "<|end|>", "<|return|>", "<|call|>", "<end_of_turn>", "<|endoftext|>",
            "<|eom_id|>", "<EOT>", "_<EOT>", "<|end_of_text|>", "<end_of_utterance>");

    final String[] pieces;
    final float[] scores;
    final TokenType[] types;
    final PieceMap ids;
    final SpecialIds special;
    final boolean addBos;
    final boolean addEos;
    final boolean addSpacePrefix;
    /** Tokens that end a generation: EOS, EOT, EOM and the well-known texts above. */
    private final boolean[] endOfGeneration;
    /** Strip whitespace to the right / left of a matched special token (llama.cpp's RSTRIP/LSTRIP attributes). */
    private final boolean[] rstrip;
    private final boolean[] lstrip;
    /** Control, user-defined and unknown tokens, longest text first: the order they are matched in text. */
    private final int[] specialTextIds;

    /** Special token ids; -1 where the vocabulary has none. */
    record SpecialIds(int bos, int eos, int eot, int eom, int unk, int sep, int pad, int cls, int mask) {}

    /** Defaults of one tokenizer family, overridden by whatever the file says. */
    record Defaults(SpecialIds ids, boolean addBos, boolean addEos, boolean addSpacePrefix) {}

    Vocabulary(String[] pieces, float[] scores, int[] tokenTypes, Defaults defaults, Overrides overrides) {
        int n = pieces.length;
        if (n == 0) {
            throw new EngineException.InvalidModelFile("tokenizer.ggml.tokens is empty");
        }
        if (scores != null && scores.length != n) {
            throw new EngineException.InvalidModelFile("tokenizer.ggml.scores has " + scores.length
                    + " entries but there are " + n + " tokens");
        }
        if (tokenTypes != null && tokenTypes.length != n) {
            throw new EngineException.InvalidModelFile("tokenizer.ggml.token_type has " + tokenTypes.length
                    + " entries but there are " + n + " tokens");
        }
        this.pieces = pieces;
        this.scores = scores != null ? scores : new float[n];
        this.types = new TokenType[n];
        this.ids = new PieceMap(n);
        for (int i = 0; i < n; i++) {
            types[i] = tokenTypes != null ? TokenType.fromId(tokenTypes[i]) : TokenType.NORMAL;
            ids.put(pieces[i], i);
        }
        SpecialIds d = defaults.ids();
        int eot = valid(overrides.eot(), d.eot(), n);
        int eom = valid(overrides.eom(), d.eom(), n);
        if (eot < 0) {
            eot = firstPresent(END_OF_TURN_TEXTS);
            promoteToControl(eot);
        }
        if (eom < 0) {
            eom = ids.get("<|eom_id|>");
            promoteToControl(eom);
        }
        this.special = new SpecialIds(valid(overrides.bos(), d.bos(), n), valid(overrides.eos(), d.eos(), n), eot,
                eom, valid(overrides.unk(), d.unk(), n), valid(overrides.sep(), d.sep(), n),
                valid(overrides.pad(), d.pad(), n), valid(overrides.cls(), d.cls(), n),
                valid(overrides.mask(), d.mask(), n));
        this.addBos = overrides.addBos() != null ? overrides.addBos() : defaults.addBos();
        this.addEos = overrides.addEos() != null ? overrides.addEos() : defaults.addEos();
        this.addSpacePrefix = overrides.addSpacePrefix() != null ? overrides.addSpacePrefix()
                : defaults.addSpacePrefix();

        this.endOfGeneration = new boolean[n];
        for (String text : END_OF_GENERATION_TEXTS) {
            int id = ids.get(text);
            if (id >= 0) {
                endOfGeneration[id] = true;
                promoteToControl(id);
            }
        }
        for (int id : new int[] {special.eos(), special.eot(), special.eom()}) {
            if (id >= 0) {
                endOfGeneration[id] = true;
            }
        }
        this.rstrip = new boolean[n];
        this.lstrip = new boolean[n];
        List<Integer> specials = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (types[i].isSpecialText() && !pieces[i].isEmpty()) {
                specials.add(i);
            }
        }
        specials.sort(Comparator.comparingInt((Integer i) -> -pieces[i].length()).thenComparingInt(i -> i));
        this.specialTextIds = specials.stream().mapToInt(Integer::intValue).toArray();
        if (overrides.stripAroundSpecial()) {
            applyPhi3Strip();
        }
    }

    /** Values read from the file; null / -1 where absent. */
    record Overrides(int bos, int eos, int eot, int eom, int unk, int sep, int pad, int cls, int mask,
                     Boolean addBos, Boolean addEos, Boolean addSpacePrefix, boolean stripAroundSpecial) {

        static Overrides fromGguf(GgufFile gguf) {
            String name = gguf.getString("general.name").orElse("").toLowerCase(java.util.Locale.ROOT);
            return new Overrides(id(gguf, "bos_token_id"), id(gguf, "eos_token_id"), id(gguf, "eot_token_id"),
                    id(gguf, "eom_token_id"), id(gguf, "unknown_token_id"), id(gguf, "seperator_token_id"),
                    id(gguf, "padding_token_id"), id(gguf, "cls_token_id"), id(gguf, "mask_token_id"),
                    gguf.getBoolean("tokenizer.ggml.add_bos_token").orElse(null),
                    gguf.getBoolean("tokenizer.ggml.add_eos_token").orElse(null),
                    gguf.getBoolean("tokenizer.ggml.add_space_prefix").orElse(null),
                    name.contains("phi-3") || name.contains("phi3"));
        }

        private static int id(GgufFile gguf, String key) {
            return gguf.getLong("tokenizer.ggml." + key).map(v -> v < 0 || v > Integer.MAX_VALUE ? -1 : v.intValue())
                    .orElse(-1);
        }
    }

    /** Reads tokens, scores and types of {@code gguf}. */
    static Vocabulary fromGguf(GgufFile gguf, Defaults defaults) {
        String[] pieces = array(gguf, "tokenizer.ggml.tokens", String[].class);
        if (pieces == null) {
            throw new EngineException.InvalidModelFile("the file has no tokenizer.ggml.tokens");
        }
        float[] scores = array(gguf, "tokenizer.ggml.scores", float[].class);
        int[] types = array(gguf, "tokenizer.ggml.token_type", int[].class);
        return new Vocabulary(pieces, scores, types, defaults, Overrides.fromGguf(gguf));
    }

    /** The array at {@code key} as {@code type}, null if absent; a wrong element type is a corrupt file. */
    static <T> T array(GgufFile gguf, String key, Class<T> type) {
        GgufValue.Array array = gguf.getArray(key).orElse(null);
        if (array == null) {
            return null;
        }
        if (!type.isInstance(array.values())) {
            throw new EngineException.InvalidModelFile("metadata " + key + " should be an array of "
                    + type.getComponentType().getSimpleName() + " but holds " + array.elementType());
        }
        return type.cast(array.values());
    }

    int size() {
        return pieces.length;
    }

    boolean isEndOfGeneration(int id) {
        return id >= 0 && id < endOfGeneration.length && endOfGeneration[id];
    }

    /** Control and unknown tokens decode to nothing. */
    boolean isControl(int id) {
        TokenType t = types[id];
        return t == TokenType.CONTROL || t == TokenType.UNKNOWN;
    }

    /**
     * Splits {@code text} around the special tokens written in it, as llama.cpp's
     * {@code tokenizer_st_partition}: tokens are taken longest first, each splitting every text
     * fragment left so far at all its occurrences. Control and unknown tokens take part only when
     * {@code parseSpecial}; user-defined tokens always do.
     *
     * @return fragments in order: a {@link String} for text, an {@link Integer} for a special token
     */
    List<Object> partition(String text, boolean parseSpecial) {
        List<Object> fragments = new ArrayList<>();
        if (text.isEmpty()) {
            return fragments;
        }
        fragments.add(text);
        for (int id : specialTextIds) {
            if (!parseSpecial && types[id].needsParseSpecial()) {
                continue;
            }
            String piece = pieces[id];
            for (int f = 0; f < fragments.size(); f++) {
                if (!(fragments.get(f) instanceof String s) || s.indexOf(piece) < 0) {
                    continue;
                }
                List<Object> split = splitAt(s, piece, id);
                fragments.remove(f);
                fragments.addAll(f, split);
                f += split.size() - 1;
            }
        }
        return fragments;
    }

    private List<Object> splitAt(String s, String piece, int id) {
        List<Object> out = new ArrayList<>();
        int start = 0;
        int end = s.length();
        while (start < end) {
            int match = s.indexOf(piece, start);
            if (match < 0) {
                out.add(s.substring(start, end));
                break;
            }
            int leftEnd = match;
            if (lstrip[id]) {
                while (leftEnd > start && isAsciiSpace(s.charAt(leftEnd - 1))) {
                    leftEnd--;
                }
            }
            if (leftEnd > start) {
                out.add(s.substring(start, leftEnd));
            }
            out.add(id);
            start = match + piece.length();
            if (rstrip[id]) {
                while (start < end && isAsciiSpace(s.charAt(start))) {
                    start++;
                }
            }
        }
        return out;
    }

    /** C's {@code isspace} in the "C" locale. */
    private static boolean isAsciiSpace(char c) {
        return c == ' ' || (c >= '\t' && c <= '\r');
    }

    private static int valid(int fromFile, int fallback, int n) {
        int id = fromFile >= 0 ? fromFile : fallback;
        return id >= 0 && id < n ? id : -1;
    }

    private int firstPresent(List<String> texts) {
        for (String t : texts) {
            int id = ids.get(t);
            if (id >= 0) {
                return id;
            }
        }
        return -1;
    }

    private void promoteToControl(int id) {
        if (id >= 0 && types[id] != TokenType.CONTROL) {
            types[id] = TokenType.CONTROL;
        }
    }

    /** llama.cpp strips whitespace after Phi-3's special tokens except {@code <unk>, <s>, <|endoftext|>}. */
    private void applyPhi3Strip() {
        for (int id : specialTextIds) {
            rstrip[id] = true;
        }
        setRstrip("</s>", true);
        for (String t : new String[] {"<unk>", "<s>", "<|endoftext|>"}) {
            setRstrip(t, false);
        }
    }

    private void setRstrip(String text, boolean value) {
        int id = ids.get(text);
        if (id >= 0) {
            rstrip[id] = value;
        }
    }

    @Override
    public String toString() {
        return "Vocabulary[" + pieces.length + " tokens, special=" + special + ", addBos=" + addBos + ", addEos="
                + addEos + ", addSpacePrefix=" + addSpacePrefix + "]";
    }
}
