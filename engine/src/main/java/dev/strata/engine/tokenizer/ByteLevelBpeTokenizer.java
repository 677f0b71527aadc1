package dev.strata.engine.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * Byte-level BPE ({@code tokenizer.ggml.model = gpt2}; GPT-2, Llama 3, Qwen, DeepSeek ...): the
 * {@link PreTokenizer} splits text into words, each word's UTF-8 bytes start as one symbol each,
 * and adjacent symbols merge by the lowest merge rank (leftmost on ties) until no pair merges.
 * Symbols are numbered once at load (token ids for strings in the vocabulary, further ids for
 * merge operands that are not) so the merge loop compares ints, never strings. A finished symbol
 * that is not a token falls back to its single-byte tokens, as llama.cpp's
 * {@code llm_tokenizer_bpe_session} does. Sennrich et al., 2016, arXiv:1508.07909.
 */
final class ByteLevelBpeTokenizer extends VocabularyTokenizer {
    private final PreTokenizer preTokenizer;
    private final RegexSplitter splitter;
    /** Byte string to symbol id (a token id below {@code vocab.size()}). */
    private final BytesMap symbols;
    private final MergeTable merges;
    /** Symbol of each single byte. */
    private final int[] byteSymbols = new int[256];
    /** Token of each single byte, or -1. */
    private final int[] byteTokens = new int[256];
    private final byte[][] bytesOf;
    /** Default of {@link #mergeScanLimit}. */
    static final int MERGE_SCAN_LIMIT = 48;
    /** Words of at most this many bytes merge by a linear scan, longer ones through the queue. */
    private final int mergeScanLimit;

    ByteLevelBpeTokenizer(Vocabulary vocab, String[] mergeRules, PreTokenizer preTokenizer) {
        this(vocab, mergeRules, preTokenizer, MERGE_SCAN_LIMIT);
    }

    /** {@code mergeScanLimit} 0 sends every word through the queue (tests compare the two paths). */
    ByteLevelBpeTokenizer(Vocabulary vocab, String[] mergeRules, PreTokenizer preTokenizer, int mergeScanLimit) {
        super(vocab);
        this.mergeScanLimit = mergeScanLimit;
        this.preTokenizer = preTokenizer;
        this.splitter = new RegexSplitter(preTokenizer.regexes());
        int n = vocab.size();
        this.symbols = new BytesMap(n + mergeRules.length);
        this.bytesOf = new byte[n][];
        for (int id = 0; id < n; id++) {
            byte[] bytes = ByteLevel.decodeStrict(vocab.pieces[id]);
            if (bytes != null && bytes.length > 0) {
                symbols.put(bytes, id);
            }
            bytesOf[id] = decodePiece(id, bytes);
        }
        for (int b = 0; b < 256; b++) {
            byteSymbols[b] = symbolOf(new byte[] {(byte) b});
            byteTokens[b] = byteSymbols[b] < n ? byteSymbols[b] : -1;
        }
        this.merges = new MergeTable(mergeRules.length);
        byte[] scratch = new byte[1024];
        for (int rank = 0; rank < mergeRules.length; rank++) {
            addMerge(mergeRules[rank], rank, scratch);
        }
    }

    static Vocabulary.Defaults defaults(PreTokenizer pre) {
        int bos = pre.hasNoDefaultBos() ? -1 : 11; // llama.cpp's defaults for gpt2 vocabularies
        return new Vocabulary.Defaults(new Vocabulary.SpecialIds(bos, 11, -1, -1, -1, -1, -1, -1, -1),
                pre.addsBosByDefault(), false, false);
    }

    PreTokenizer preTokenizer() {
        return preTokenizer;
    }

    /**
     * A rule is "LEFT RIGHT" (split at the first space after the first character), ranked by
     * position. Both halves are decoded into {@code scratch} back to back, so the joined symbol is
     * a slice too and nothing is allocated unless a new symbol is met.
     */
    private void addMerge(String rule, int rank, byte[] scratch) {
        int space = rule.indexOf(' ', 1);
        if (space < 0 || space == rule.length() - 1 || rule.length() - 1 > scratch.length) {
            return;
        }
        int n = 0;
        for (int i = 0; i < rule.length(); i++) {
            if (i == space) {
                continue;
            }
            int b = ByteLevel.byteOf(rule.charAt(i));
            if (b < 0) {
                return; // a character outside the byte alphabet: no text can ever produce this pair
            }
            scratch[n++] = (byte) b;
        }
        int left = symbolOf(scratch, 0, space);
        int right = symbolOf(scratch, space, n);
        merges.putIfAbsent(left, right, rank, symbolOf(scratch, 0, n));
    }

    private int symbolOf(byte[] bytes) {
        return symbolOf(bytes, 0, bytes.length);
    }

    private int symbolOf(byte[] bytes, int from, int to) {
        int s = symbols.get(bytes, from, to);
        if (s < 0) {
            s = vocab.size() + symbols.size(); // every key so far has a distinct id, so this one is free
            symbols.put(Arrays.copyOfRange(bytes, from, to), s);
        }
        return s;
    }

    @Override
    void encodeFragments(List<Object> fragments, boolean addSpecial, TokenIds out) {
        if (addSpecial && vocab.addBos && vocab.special.bos() >= 0) {
            out.add(vocab.special.bos());
        }
        Session session = null;
        for (Object fragment : fragments) {
            if (fragment instanceof Integer id) {
                out.add(id);
            } else {
                if (session == null) {
                    session = new Session();
                }
                session.tokenize((String) fragment, out);
            }
        }
        if (addSpecial && vocab.addEos && vocab.special.eos() >= 0) {
            out.add(vocab.special.eos());
        }
    }

    @Override
    public byte[] tokenBytes(int id) {
        return bytesOf[checkId(id)].clone();
    }

    /** What token {@code id} decodes to; {@code strict} is its byte-level spelling decoded, or null. */
    private byte[] decodePiece(int id, byte[] strict) {
        String piece = vocab.pieces[id];
        return switch (vocab.types[id]) {
            case NORMAL -> strict != null ? strict : ByteLevel.decodeLenient(piece);
            case USER_DEFINED -> piece.getBytes(StandardCharsets.UTF_8);
            case CONTROL, UNKNOWN, BYTE, UNUSED, UNDEFINED -> new byte[0];
        };
    }

    /** Scratch state of one encode call: the symbol chain of the current word. */
    private final class Session {
        private final BigramQueue queue = new BigramQueue();
        private int[] symbol = new int[64];
        private int[] length = new int[64];
        private int[] prev = new int[64];
        private int[] next = new int[64];
        /** For the scan: the merge ({@code rank << 32 | symbol}) of each symbol with its right neighbour, or -1. */
        private long[] pairMerge = new long[64];
        private byte[] utf8;

        void tokenize(String text, TokenIds out) {
            utf8 = text.getBytes(StandardCharsets.UTF_8);
            TokenIds words = splitter.split(text);
            int charPos = 0;
            int bytePos = 0;
            for (int w = 0; w < words.size(); w++) {
                int wordStart = bytePos;
                for (int k = words.get(w); k > 0; k--) {
                    int cp = text.codePointAt(charPos);
                    charPos += Character.charCount(cp);
                    bytePos += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
                }
                encodeWord(wordStart, bytePos, out);
            }
        }

        private void encodeWord(int from, int to, TokenIds out) {
            if (preTokenizer.ignoresMerges()) {
                int whole = symbols.get(utf8, from, to);
                if (whole >= 0 && whole < vocab.size()) {
                    out.add(whole);
                    return;
                }
            }
            int n = to - from;
            if (symbol.length < n) {
                int capacity = Math.max(n, symbol.length * 2);
                symbol = new int[capacity];
                length = new int[capacity];
                prev = new int[capacity];
                next = new int[capacity];
                pairMerge = new long[capacity];
            }
            for (int i = 0; i < n; i++) {
                symbol[i] = byteSymbols[utf8[from + i] & 0xFF];
                length[i] = 1;
                prev[i] = i - 1;
                next[i] = i + 1 < n ? i + 1 : -1;
            }
            if (n <= mergeScanLimit) {
                mergeByScan(n);
            } else {
                mergeByQueue(n);
            }
            int offset = from;
            for (int i = n == 0 ? -1 : 0; i != -1; i = next[i]) {
                int s = symbol[i];
                if (s < vocab.size()) {
                    out.add(s);
                } else {
                    for (int b = offset; b < offset + length[i]; b++) {
                        int t = byteTokens[utf8[b] & 0xFF];
                        if (t >= 0) {
                            out.add(t);
                        }
                    }
                }
                offset += length[i];
            }
        }

        /**
         * Short words: keep the best merge of each adjacent pair and scan for the lowest rank
         * (leftmost on ties). The queue holds exactly these pairs too (stale entries aside), so
         * both pick the same merge every step; the scan just avoids the heap for a handful of bytes.
         */
        private void mergeByScan(int n) {
            for (int i = 0; i < n; i++) {
                pairMerge[i] = i + 1 < n ? merges.get(symbol[i], symbol[i + 1]) : -1L;
            }
            while (n > 0) {
                int best = -1;
                long bestRank = Long.MAX_VALUE;
                for (int i = 0; i != -1; i = next[i]) {
                    long m = pairMerge[i];
                    if (m >= 0 && (m >>> 32) < bestRank) { // strictly lower: the leftmost of equal ranks wins
                        bestRank = m >>> 32;
                        best = i;
                    }
                }
                if (best < 0) {
                    return;
                }
                int right = next[best];
                symbol[best] = (int) pairMerge[best];
                length[best] += length[right];
                length[right] = 0;
                next[best] = next[right];
                if (next[right] >= 0) {
                    prev[next[right]] = best;
                }
                pairMerge[best] = next[best] >= 0 ? merges.get(symbol[best], symbol[next[best]]) : -1L;
                if (prev[best] >= 0) {
                    pairMerge[prev[best]] = merges.get(symbol[prev[best]], symbol[best]);
                }
            }
        }

        /** Long words: candidate pairs in a priority queue, stale ones skipped (llama.cpp's loop). */
        private void mergeByQueue(int n) {
            queue.clear();
            for (int i = 1; i < n; i++) {
                addBigram(i - 1, i);
            }
            while (!queue.isEmpty()) {
                queue.pop();
                int left = queue.left();
                int right = queue.right();
                if (length[left] == 0 || length[right] == 0 || length[left] + length[right] != queue.size()) {
                    continue; // one side has changed since this pair was queued
                }
                symbol[left] = (int) merges.get(symbol[left], symbol[right]);
                length[left] += length[right];
                length[right] = 0;
                next[left] = next[right];
                if (next[right] >= 0) {
                    prev[next[right]] = left;
                }
                addBigram(prev[left], left);
                addBigram(left, next[left]);
            }
        }

        private void addBigram(int left, int right) {
            if (left < 0 || right < 0) {
                return;
            }
            long merge = merges.get(symbol[left], symbol[right]);
            if (merge >= 0) {
                queue.push(BigramQueue.byRank((int) (merge >>> 32), left), right, length[left] + length[right]);
            }
        }
    }
}
