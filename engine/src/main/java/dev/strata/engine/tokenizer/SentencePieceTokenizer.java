package dev.strata.engine.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * SentencePiece-style BPE ({@code tokenizer.ggml.model = llama}): spaces become {@code ▁}, a
 * space is put before text at the start and after each special token when the vocabulary says
 * {@code add_space_prefix}, then adjacent pieces merge greedily by the score of the piece they
 * form (highest first, leftmost on ties), and characters no piece covers fall back to their UTF-8
 * bytes as {@code <0xNN>} tokens. This is llama.cpp's {@code llm_tokenizer_spm}, which matches
 * SentencePiece's BPE mode (Kudo and Richardson, 2018, arXiv:1808.06226).
 */
final class SentencePieceTokenizer extends VocabularyTokenizer {
    static final char SPACE_MARK = '\u2581';
    /** Default of {@link #mergeScanLimit}. */
    static final int MERGE_SCAN_LIMIT = 48;

    /** Id for each byte value: {@code <0xNN>}, else the one-character piece, else unknown. */
    private final int[] byteTokens = new int[256];
    private final byte[][] bytesOf;
    /** Where the text may be cut into independently merged parts (see {@link CodePointPairs}). */
    private final CodePointPairs pairsInPieces;

    /** Parts of at most this many code points merge by a linear scan, longer ones through the queue. */
    private final int mergeScanLimit;

    SentencePieceTokenizer(Vocabulary vocab) {
        this(vocab, MERGE_SCAN_LIMIT);
    }

    /** {@code mergeScanLimit} 0 sends every part through the queue (tests compare the two paths). */
    SentencePieceTokenizer(Vocabulary vocab, int mergeScanLimit) {
        super(vocab);
        this.mergeScanLimit = mergeScanLimit;
        pairsInPieces = CodePointPairs.of(vocab.pieces);
        for (int b = 0; b < 256; b++) {
            int id = vocab.ids.get(String.format("<0x%02X>", b));
            if (id < 0 && b < 0x80) {
                id = vocab.ids.get(String.valueOf((char) b));
            }
            byteTokens[b] = id >= 0 ? id : vocab.special.unk();
        }
        bytesOf = new byte[vocab.size()][];
        for (int id = 0; id < vocab.size(); id++) {
            bytesOf[id] = decodePiece(id);
        }
    }

    static Vocabulary.Defaults defaults() {
        return new Vocabulary.Defaults(new Vocabulary.SpecialIds(1, 2, -1, -1, 0, -1, -1, -1, -1), true, false, true);
    }

    @Override
    void encodeFragments(List<Object> fragments, boolean addSpecial, TokenIds out) {
        boolean addBos = addSpecial && vocab.addBos && vocab.special.bos() >= 0;
        if (addBos) {
            out.add(vocab.special.bos());
        }
        boolean afterSpecial = true; // the start counts as "after a special token"
        Session session = null;
        for (Object fragment : fragments) {
            if (fragment instanceof Integer id) {
                out.add(id);
                afterSpecial = true;
                continue;
            }
            String text = (String) fragment;
            if (vocab.addSpacePrefix && afterSpecial) {
                text = " " + text;
            }
            if (session == null) {
                session = new Session();
            }
            session.tokenizeInParts(text.replace(' ', SPACE_MARK), out);
            afterSpecial = false;
        }
        if (addSpecial && vocab.addEos && vocab.special.eos() >= 0) {
            out.add(vocab.special.eos());
        }
    }

    @Override
    public byte[] tokenBytes(int id) {
        return bytesOf[checkId(id)].clone();
    }

    @Override
    public boolean addsSpacePrefix() {
        return vocab.addSpacePrefix;
    }

    private byte[] decodePiece(int id) {
        String piece = vocab.pieces[id];
        return switch (vocab.types[id]) {
            case CONTROL, UNKNOWN, UNUSED, UNDEFINED -> new byte[0];
            case USER_DEFINED -> piece.getBytes(StandardCharsets.UTF_8);
            case NORMAL -> piece.replace(SPACE_MARK, ' ').getBytes(StandardCharsets.UTF_8);
            case BYTE -> new byte[] {(byte) byteValue(piece)};
        };
    }

    /** The byte of a {@code <0xNN>} piece (llama.cpp's {@code token_to_byte}: the two hex digits at 3..4). */
    private static int byteValue(String piece) {
        if (piece.length() == 6 && piece.startsWith("<0x") && piece.endsWith(">")) {
            return Integer.parseInt(piece, 3, 5, 16);
        }
        return piece.isEmpty() ? 0 : piece.charAt(0) & 0xFF;
    }

    /** Scratch state of one encode call: the symbol chain over the text's code points. */
    private final class Session {
        private final BigramQueue queue = new BigramQueue();
        private int[] start = new int[0];
        private int[] length = new int[0];
        private int[] prev = new int[0];
        private int[] next = new int[0];
        /** For the scan: the piece each symbol forms with its right neighbour, or -1. */
        private int[] pairPiece = new int[0];
        private String text;

        /** Cuts {@code escaped} where no piece can span and merges each part on its own (same result, small queues). */
        void tokenizeInParts(String escaped, TokenIds out) {
            this.text = escaped;
            int partStart = 0;
            int prev = -1;
            for (int i = 0; i < escaped.length(); ) {
                int cp = escaped.codePointAt(i);
                if (prev >= 0 && !pairsInPieces.contains(prev, cp)) {
                    tokenize(partStart, i, out);
                    partStart = i;
                }
                prev = cp;
                i += Character.charCount(cp);
            }
            tokenize(partStart, escaped.length(), out);
        }

        private void tokenize(int from, int to, TokenIds out) {
            int n = split(text, from, to);
            if (n <= mergeScanLimit) {
                mergeByScan(n);
            } else {
                mergeByQueue(n);
            }
            for (int i = n == 0 ? -1 : 0; i != -1; i = next[i]) {
                emit(i, out);
            }
        }

        /**
         * Short parts: keep the piece each adjacent pair would form and scan for the best score
         * (leftmost on ties). The queue holds exactly these pairs too (stale entries aside), so
         * both pick the same merge every step.
         */
        private void mergeByScan(int n) {
            for (int i = 0; i < n; i++) {
                pairPiece[i] = i + 1 < n ? pieceOf(i, i + 1) : -1;
            }
            while (n > 0) {
                int best = -1;
                float bestScore = Float.NEGATIVE_INFINITY;
                for (int i = 0; i != -1; i = next[i]) {
                    int piece = pairPiece[i];
                    if (piece >= 0 && (best < 0 || vocab.scores[piece] > bestScore)) {
                        bestScore = vocab.scores[piece];
                        best = i;
                    }
                }
                if (best < 0) {
                    return;
                }
                int right = next[best];
                length[best] += length[right];
                length[right] = 0;
                next[best] = next[right];
                if (next[right] >= 0) {
                    prev[next[right]] = best;
                }
                pairPiece[best] = next[best] >= 0 ? pieceOf(best, next[best]) : -1;
                if (prev[best] >= 0) {
                    pairPiece[prev[best]] = pieceOf(prev[best], best);
                }
            }
        }

        /** Long parts: candidate pairs in a priority queue, stale ones skipped (llama.cpp's loop). */
        private void mergeByQueue(int n) {
            queue.clear();
            for (int i = 1; i < n; i++) {
                tryAddBigram(i - 1, i);
            }
            while (!queue.isEmpty()) {
                queue.pop();
                int left = queue.left();
                int right = queue.right();
                if (length[left] == 0 || length[right] == 0 || length[left] + length[right] != queue.size()) {
                    continue; // one side has changed since this pair was queued
                }
                length[left] += length[right];
                length[right] = 0;
                next[left] = next[right];
                if (next[right] >= 0) {
                    prev[next[right]] = left;
                }
                tryAddBigram(prev[left], left);
                tryAddBigram(left, next[left]);
            }
        }

        /** The piece symbols {@code left} and {@code right} (adjacent) would form, or -1. */
        private int pieceOf(int left, int right) {
            return vocab.ids.get(text, start[left], start[left] + length[left] + length[right]);
        }

        /** One symbol per code point of {@code s[from, to)}; returns the number of symbols. */
        private int split(String s, int from, int to) {
            int capacity = to - from;
            if (start.length < capacity) {
                capacity = Math.max(capacity, start.length * 2);
                start = new int[capacity];
                length = new int[capacity];
                prev = new int[capacity];
                next = new int[capacity];
                pairPiece = new int[capacity];
            }
            int n = 0;
            for (int i = from; i < to; n++) {
                int len = Character.isHighSurrogate(s.charAt(i)) && i + 1 < to ? 2 : 1;
                start[n] = i;
                length[n] = len;
                prev[n] = n - 1;
                i += len;
                next[n] = i == to ? -1 : n + 1;
            }
            return n;
        }

        private void tryAddBigram(int left, int right) {
            if (left < 0 || right < 0) {
                return;
            }
            int size = length[left] + length[right];
            int id = vocab.ids.get(text, start[left], start[left] + size);
            if (id >= 0) {
                queue.push(BigramQueue.byScore(vocab.scores[id], left), right, size);
            }
        }

        private void emit(int symbol, TokenIds out) {
            int from = start[symbol];
            int to = from + length[symbol];
            int id = vocab.ids.get(text, from, to);
            if (id >= 0) {
                out.add(id);
                return;
            }
            for (byte b : text.substring(from, to).getBytes(StandardCharsets.UTF_8)) {
                int byteId = byteTokens[b & 0xFF];
                if (byteId >= 0) {
                    out.add(byteId);
                }
            }
        }
    }
}
