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
    /**
     * Fill-in-the-middle markers by role (prefix, suffix, middle, pad, repo, file separator): the
     * first present of each list is made a control token; pad, repo and separator also end a generation.
     */
    private static final List<List<String>> FIM_TEXTS = List.of(
            List.of("<|fim_prefix|>", "<fim-prefix>", "<fim_prefix>", "<｜fim▁begin｜>", "<PRE>", "▁<PRE>",
                    "<|code_prefix|>"),
            List.of("<|fim_suffix|>", "<fim-suffix>", "<fim_suffix>", "<｜fim▁hole｜>", "<SUF>", "▁<SUF>",
                    "<|code_suffix|>"),
            List.of("<|fim_middle|>", "<fim-middle>", "<fim_middle>", "<｜fim▁end｜>", "<MID>", "▁<MID>",
                    "<|code_middle|>"),
            List.of("<|fim_pad|>", "<fim-pad>", "<fim_pad>", "<PAD>"),
            List.of("<|fim_repo|>", "<|repo_name|>", "<fim-repo>", "<REPO>", "<reponame>"),
            List.of("<|file_sep|>"));
    private static final int FIRST_FIM_THAT_ENDS_GENERATION = 3;
    /** Token texts that end a generation in any model that has them (llama.cpp's list). */
    private static final List<String> END_OF_GENERATION_TEXTS = List.of(
            "<|eot_id|>", "<|im_end|>", "<|end|>", "<|return|>", "<|call|>", "<end_of_turn>", "<|endoftext|>",
            "<|eom_id|>", "<EOT>", "_<EOT>", "<|end_of_text|>", "<end_of_utterance>", "<|flush|>", "<|calls|>");

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
        this.pieces = pieces.clone();
        for (int i = 0; i < n; i++) {
            if (this.pieces[i].isEmpty()) {
                this.pieces[i] = "[EMPTY_" + i + "]"; // as llama.cpp names empty entries
            }
        }
        this.scores = scores != null ? scores : new float[n];
        this.types = new TokenType[n];
        this.ids = new PieceMap(n);
        for (int i = 0; i < n; i++) {
            types[i] = tokenTypes != null ? TokenType.fromId(tokenTypes[i]) : TokenType.NORMAL;
            ids.put(this.pieces[i], i);
        }
        this.special = resolveSpecialIds(defaults.ids(), overrides);
        this.addBos = overrides.addBos() != null ? overrides.addBos() : defaults.addBos();
        this.addEos = overrides.addEos() != null ? overrides.addEos() : defaults.addEos();
        this.addSpacePrefix = overrides.addSpacePrefix() != null ? overrides.addSpacePrefix()
                : defaults.addSpacePrefix();
        this.endOfGeneration = markEndOfGeneration();
        this.specialTextIds = specialTextOrder();
        this.rstrip = new boolean[n];
        this.lstrip = new boolean[n];
        switch (overrides.strip()) {
            case PHI3 -> applyPhi3Strip();
            case MASK_LSTRIP -> setLstrip("<mask>");
            case UPPER_MASK_LSTRIP -> setLstrip("[MASK]");
            case NONE -> { }
        }
    }

    /** File ids over family defaults; end-of-turn and end-of-message found by text when the file has none. */
    private SpecialIds resolveSpecialIds(SpecialIds d, Overrides o) {
        int n = pieces.length;
        int eot = valid(o.eot(), d.eot(), n);
        if (eot < 0) {
            eot = firstPresent(END_OF_TURN_TEXTS);
            promoteToControl(eot);
        }
        int eom = valid(o.eom(), d.eom(), n);
        if (eom < 0) {
            eom = ids.get("<|eom_id|>");
            promoteToControl(eom);
        }
        return new SpecialIds(valid(o.bos(), d.bos(), n), valid(o.eos(), d.eos(), n), eot, eom,
                valid(o.unk(), d.unk(), n), valid(o.sep(), d.sep(), n), valid(o.pad(), d.pad(), n),
                valid(o.cls(), d.cls(), n), valid(o.mask(), d.mask(), n));
    }

    /** EOS, EOT, EOM, the well-known end texts and the FIM pad/repo/separator markers (llama.cpp's EOG set). */
    private boolean[] markEndOfGeneration() {
        boolean[] eog = new boolean[pieces.length];
        for (int role = 0; role < FIM_TEXTS.size(); role++) {
            int id = firstPresent(FIM_TEXTS.get(role));
            promoteToControl(id);
            if (id >= 0 && role >= FIRST_FIM_THAT_ENDS_GENERATION) {
                eog[id] = true;
            }
        }
        for (String text : END_OF_GENERATION_TEXTS) {
            int id = ids.get(text);
            if (id >= 0) {
                eog[id] = true;
                promoteToControl(id);
            }
        }
        for (int id : new int[] {special.eos(), special.eot(), special.eom()}) {
            if (id >= 0) {
                eog[id] = true;
            }
        }
        // gpt-oss (harmony) and solar-open end a turn with <|end|> but keep generating after it
        int end = ids.get("<|end|>");
        boolean hasCall = ids.get("<|call|>") >= 0 || ids.get("<|calls|>") >= 0;
        if (end >= 0 && hasCall && (ids.get("<|return|>") >= 0 || ids.get("<|flush|>") >= 0)) {
            eog[end] = false;
        }
        return eog;
    }

    /** Control, user-defined and unknown tokens, longest UTF-8 first (ties by id): the order text is searched for them. */
    private int[] specialTextOrder() {
        List<Integer> specials = new ArrayList<>();
        int[] utf8Length = new int[pieces.length];
        for (int i = 0; i < pieces.length; i++) {
            if (types[i].isSpecialText()) {
                specials.add(i);
                utf8Length[i] = pieces[i].getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
            }
        }
        specials.sort(Comparator.comparingInt((Integer i) -> -utf8Length[i]).thenComparingInt(i -> i));
        return specials.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Model-specific whitespace stripping around special tokens (llama.cpp sets these by model name). */
    enum Strip { NONE, PHI3, MASK_LSTRIP, UPPER_MASK_LSTRIP }

    /** Values read from the file; null / -1 where absent. */
    record Overrides(int bos, int eos, int eot, int eom, int unk, int sep, int pad, int cls, int mask,
                     Boolean addBos, Boolean addEos, Boolean addSpacePrefix, Strip strip) {

        static Overrides fromGguf(GgufFile gguf) {
            String name = gguf.getString("general.name").orElse("").toLowerCase(java.util.Locale.ROOT);
            String pre = gguf.getString("tokenizer.ggml.pre").orElse("");
            String arch = gguf.getString("general.architecture").orElse("");
            Strip strip = pre.contains("jina-v2-de") || pre.contains("jina-v2-es") || pre.contains("jina-v2-code")
                    || arch.contains("nomic-bert-moe") || arch.contains("jina-bert-v3") ? Strip.MASK_LSTRIP
                    : name.contains("phi-3") || name.contains("phi3") ? Strip.PHI3
                    : name.contains("modern-bert") ? Strip.UPPER_MASK_LSTRIP : Strip.NONE;
            return new Overrides(id(gguf, "bos_token_id"), id(gguf, "eos_token_id"), id(gguf, "eot_token_id"),
                    id(gguf, "eom_token_id"), id(gguf, "unknown_token_id"), id(gguf, "seperator_token_id"),
                    id(gguf, "padding_token_id"), id(gguf, "cls_token_id"), id(gguf, "mask_token_id"),
                    gguf.getBoolean("tokenizer.ggml.add_bos_token").orElse(null),
                    gguf.getBoolean("tokenizer.ggml.add_eos_token").orElse(null),
                    gguf.getBoolean("tokenizer.ggml.add_space_prefix").orElse(null),
                    strip);
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

    private void setLstrip(String text) {
        int id = ids.get(text);
        if (id >= 0) {
            lstrip[id] = true;
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
