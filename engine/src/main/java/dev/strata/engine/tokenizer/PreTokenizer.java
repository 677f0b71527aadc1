package dev.strata.engine.tokenizer;

import dev.strata.engine.EngineException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The pre-tokenizers of byte-level BPE vocabularies: for each {@code tokenizer.ggml.pre} name, the
 * regexes that split text into words before merging, and the flags that go with them. The regexes
 * are llama.cpp's ({@code llm_tokenizer_bpe} in {@code llama-vocab.cpp}, itself adapted from each
 * model's Hugging Face {@code tokenizer.json}); they run with {@link RegexSplitter}'s semantics.
 */
enum PreTokenizer {
    DEFAULT(Regexes.DEFAULT, "default"),
    LLAMA3(Regexes.LLAMA3, Flags.IGNORE_MERGES_ADD_BOS,
            "llama3", "llama-v3", "llama-bpe", "falcon3", "falcon-h1", "pixtral", "midm-2.0", "lfm2"),
    DBRX(Regexes.LLAMA3, "dbrx"),
    SMAUG(Regexes.LLAMA3, "smaug-bpe"),
    DEEPSEEK_LLM(Regexes.DEEPSEEK_LLM, "deepseek-llm"),
    DEEPSEEK_CODER(Regexes.DEEPSEEK_CODER, "deepseek-coder"),
    DEEPSEEK3_LLM(Regexes.DEEPSEEK3, "deepseek-v3", "hunyuan-dense"),
    FALCON(Regexes.FALCON, "falcon"),
    STARCODER(Regexes.STARCODER, "starcoder", "refact", "command-r", "smollm", "codeshell", "exaone", "minerva-7b"),
    GPT2(Regexes.GPT2, "gpt-2", "phi-2", "jina-es", "jina-de", "gigachat", "jina-v2-es", "jina-v2-de", "a.x-4.0",
            "mellum", "modern-bert", "jina-v1-en", "jina-v2-code", "roberta-bpe", "exaone4", "mpt", "olmo", "jais",
            "trillion", "granite-docling"),
    QWEN2(Regexes.QWEN2, "qwen2", "deepseek-r1-qwen", "kormo", "megrez", "stablelm2", "hunyuan", "solar-open",
            "grok-2"),
    BLOOM(Regexes.BLOOM, "poro-chat", "bloom", "gpt3-finnish"),
    CHATGLM4(Regexes.LLAMA3, Flags.NO_BOS, "glm4", "chatglm-bpe"),
    VIKING(Regexes.VIKING, "viking"),
    TEKKEN(Regexes.TEKKEN, Flags.IGNORE_MERGES_ADD_BOS, "tekken"),
    CHAMELEON(Regexes.CHAMELEON, Flags.ADD_BOS, "chameleon"),
    GPT4O(Regexes.GPT4O, "gpt-4o", "llama4", "minimax-m2"),
    SUPERBPE(Regexes.SUPERBPE, "superbpe"),
    BAILINGMOE(Regexes.BAILINGMOE, "bailingmoe", "bailingmoe2", "llada-moe"),
    SEED_CODER(Regexes.SEED_CODER, "seed-coder"),
    EXAONE_MOE(Regexes.EXAONE_MOE, "exaone-moe");

    /** How a pre-tokenizer changes the vocabulary's defaults. */
    enum Flags {
        NONE, ADD_BOS, IGNORE_MERGES_ADD_BOS, NO_BOS
    }

    private static final Map<String, PreTokenizer> BY_NAME = new HashMap<>();

    static {
        for (PreTokenizer p : values()) {
            for (String name : p.names) {
                BY_NAME.put(name, p);
            }
        }
    }

    private final List<String> regexes;
    private final Flags flags;
    private final List<String> names;

    PreTokenizer(List<String> regexes, String... names) {
        this(regexes, Flags.NONE, names);
    }

    PreTokenizer(List<String> regexes, Flags flags, String... names) {
        this.regexes = regexes;
        this.flags = flags;
        this.names = List.of(names);
    }

    /**
     * The pre-tokenizer named {@code name}; a missing name means {@link #DEFAULT}, as in llama.cpp.
     *
     * @throws EngineException.Unsupported for a name this table does not have
     */
    static PreTokenizer forName(String name) {
        if (name == null || name.isEmpty()) {
            return DEFAULT;
        }
        PreTokenizer p = BY_NAME.get(name);
        if (p == null) {
            throw new EngineException.Unsupported("pre-tokenizer '" + name + "' (tokenizer.ggml.pre) is not supported");
        }
        return p;
    }

    List<String> regexes() {
        return regexes;
    }

    /** Whole words found in the vocabulary are taken as one token without merging (Llama 3, Tekken). */
    boolean ignoresMerges() {
        return flags == Flags.IGNORE_MERGES_ADD_BOS;
    }

    /** The default of {@code add_bos_token} when the file does not say. */
    boolean addsBosByDefault() {
        return flags == Flags.ADD_BOS || flags == Flags.IGNORE_MERGES_ADD_BOS;
    }

    /** ChatGLM-4 has no BOS unless the file names one. */
    boolean hasNoDefaultBos() {
        return flags == Flags.NO_BOS;
    }

    /** The regex lists, shared by several names. */
    static final class Regexes {
        static final String GPT2_WORDS = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)";
        static final String CONTRACTIONS = "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])";

        static final List<String> DEFAULT = List.of(
                "[\\p{P}\\$\\+<=>\\^~\\|]+",
                GPT2_WORDS,
                "\\p{N}+",
                "[0-9][0-9][0-9]");
        static final List<String> GPT2 = List.of(GPT2_WORDS);
        static final List<String> LLAMA3 = List.of(CONTRACTIONS
                + "|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+");
        static final List<String> QWEN2 = List.of(CONTRACTIONS
                + "|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+");
        // the letter class is Unicode's cased letters; the \\u escapes are compatibility characters
        // (U+1F7D, U+1FBE, U+1FD3, U+1FDB, U+2126, U+212A) that Unicode normalization would fold
        static final List<String> DEEPSEEK_LLM = List.of(
                "[\r\n]",
                "\\s?[A-Za-zµÀ-ÖØ-öø-ƺƼ-ƿǄ-ʓʕ-ʯͰ-ͳͶͷͻ-ͽͿΆΈ-ΊΌΎ-ΡΣ-ϵϷ-ҁҊ-ԯԱ-ՖႠ-ჅᎠ-Ᏽᏸ-ᏽᲐ-ᲺᲽ-Ჿᴀ-ᴫᵫ-ᵷᵹ-ᶚḀ-ἕἘ-Ἕἠ-ὅὈ-Ὅὐ-ὗὙὛὝὟ-\u1F7Dᾀ-ᾴᾶ-ᾼ\u1FBEῂ-ῄῆ-ῌῐ-\u1FD3ῖ-\u1FDBῠ-Ῥῲ-ῴῶ-ῼℂℇℊ-ℓℕℙ-ℝℤ\u2126ℨ\u212A-ℭℯ-ℴℹℼ-ℿⅅ-ⅉⅎↃↄⰀ-ⱻⱾ-ⳤⳫ-ⳮⳲⳳꙀ-ꙭꚀ-ꚛꜢ-ꝯꝱ-ꞇꞋ-ꞎꭰ-ꮿﬀ-ﬆﬓ-ﬗＡ-Ｚａ-ｚ𐐀-𐑏𐒰-𐓓𐓘-𐓻𐲀-𐲲𐳀-𐳲𑢠-𑣟𞤀-𞥃]+",
                "\\s?[!-/:-~！-／：-～‘-‟　-。]+",
                "\\s+$",
                "[一-龥ࠀ-一가-퟿]+",
                "\\p{N}+");
        static final List<String> DEEPSEEK_CODER = List.of(
                "[\r\n]",
                "\\s?\\p{L}+",
                "\\s?\\p{P}+",
                "[一-龥ࠀ-一가-퟿]+",
                "\\p{N}");
        static final List<String> DEEPSEEK3 = List.of(
                "\\p{N}{1,3}",
                "[一-龥぀-ゟ゠-ヿ]+",
                "[!\"#$%&'()*+,\\-./:;<=>?@\\[\\\\\\]^_`{|}~][A-Za-z]+|[^\r\n\\p{L}\\p{P}\\p{S}]?[\\p{L}\\p{M}]+"
                        + "| ?[\\p{P}\\p{S}]+[\r\n]*|\\s*[\r\n]+|\\s+(?!\\S)|\\s+");
        static final List<String> FALCON = List.of(
                "[\\p{P}\\$\\+<=>\\^~\\|`]+",
                GPT2_WORDS,
                "[0-9][0-9][0-9]");
        static final List<String> STARCODER = List.of("\\p{N}", GPT2_WORDS);
        static final List<String> BLOOM = List.of(" ?[^(\\s|.,!?…。，、।۔،)]+");
        static final List<String> VIKING = List.of(" ?[^(\\s|.,!?…。，、।۔،)]+", "\\p{N}");
        static final List<String> TEKKEN = List.of(
                "[^\\r\\n\\p{L}\\p{N}]?((?=[\\p{L}])([^a-z]))*((?=[\\p{L}])([^A-Z]))+"
                        + "|[^\\r\\n\\p{L}\\p{N}]?((?=[\\p{L}])([^a-z]))+((?=[\\p{L}])([^A-Z]))*"
                        + "|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+");
        static final List<String> CHAMELEON = List.of(
                "<sentinel:[0-9]+>",
                "(IMGIMG)((A|B|C|D|E|F|G|H|I){1,4})Z",
                "([\\t\\n]|    |  )",
                "\\p{N}",
                "[\\p{P}!-/:-@\\[-`{-~]",
                GPT2_WORDS);
        static final List<String> GPT4O = List.of(
                "[^\\r\\n\\p{L}\\p{N}]?((?=[\\p{L}])([^a-z]))*((?=[\\p{L}])([^A-Z]))+" + CONTRACTIONS + "?"
                        + "|[^\\r\\n\\p{L}\\p{N}]?((?=[\\p{L}])([^a-z]))+((?=[\\p{L}])([^A-Z]))*" + CONTRACTIONS + "?"
                        + "|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+");
        static final List<String> SUPERBPE = List.of("\\p{N}+", "(?=(\\d{3})+(?!\\d))");
        static final List<String> BAILINGMOE = List.of(
                "'(?:[sSdDmMtT]|[lL][lL]|[vV][eE]|[rR][eE])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}"
                        + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]|\\s+(?!\\S)|\\s+");
        static final List<String> SEED_CODER = List.of(CONTRACTIONS
                + "|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1}| ?[^\\s\\p{L}\\p{N}\\r\\n]+|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+");
        static final List<String> EXAONE_MOE = List.of(CONTRACTIONS
                + "|[^\\r\\n\\p{L}\\p{N}]?(?:\\p{L}\\p{M}*(?: \\p{L}\\p{M}*)*)+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]?"
                + "|\\s*[\\r\\n]|\\s+(?!\\S)|\\s+");

        private Regexes() {}
    }
}
