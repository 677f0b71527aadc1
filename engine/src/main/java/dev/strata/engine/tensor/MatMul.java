package dev.strata.engine.tensor;

import dev.strata.engine.gguf.GgmlType;

/**
 * Matrix products of weights with activations, split over a {@link ComputePool} by output rows.
 * Weights are {@code rows x cols} ({@link FloatTensor} row-major); activations are dense floats.
 *
 * <p>{@link #matmul} (several tokens: a prompt chunk, or one decode token per running sequence)
 * streams each weight row from memory once for all tokens of the call. With a handful of tokens
 * the fused dequantize-and-dot kernel runs per token on a row that stays in L1. From
 * {@link #DEQUANTIZE_MIN_TOKENS} tokens on, each thread works in tiles: it dequantizes a tile of
 * rows (at most {@link #TILE_FLOATS} floats, so the tile stays in its L2 cache) with the type's
 * vector kernel, then for every group of four tokens dots each group of four rows of the tile with
 * them ({@link F32Tensor#dot4x4}: four row and four token vectors loaded per sixteen multiply-adds,
 * one pass, each output bit-identical to {@link F32Tensor#tileDot} of its row and token, so a
 * token's result does not depend on its batch). From a full vector of tokens on
 * ({@link #usesTokenLanes}: 16 with AVX-512) the tile is laid out in panels of sixteen rows and the
 * tokens go into the vector lanes instead ({@link TokenLanes}: one activation vector and sixteen
 * broadcast weights per sixteen multiply-adds, no lane sums; a 64-token product of a 4864 x 896
 * Q8_0 matrix went from 31 to 41 G products/s on one core, a 512-token prefill from 115 to 143
 * tokens/s on two); each output is then one multiply-add chain, again the same bits in any batch of
 * that size class. Decoding a row is
 * paid once per call instead of once per token, and the activations are read from memory once per
 * tile instead of once per row: without tiles a 256-token pass over a 4864-wide matrix streamed
 * 5 MB of activations per weight row and ran at a third of the speed per token of a 64-token pass.
 *
 * <p>Before either, each token's activations are rounded once per call as llama.cpp rounds them for
 * the weight type ({@link ActivationQuantizer}: Q8_0 for Q4_0/Q5_0/Q8_0, Q8_K for the K-quants, fp16
 * for F16...), so that logits match llama.cpp's on the same file. For Q4_1/Q5_1 (Q8_1 activations)
 * each product also gets {@link FloatTensor#blockSumCorrection}: ggml adds the weight minimum times
 * an fp16-rounded block sum of the activations.
 *
 * <p>No allocation per call once warm: the parallel job is a reusable {@link Product} per calling
 * thread, and the rounded activations and the row tiles live in per-thread buffers that only grow.
 */
public final class MatMul {
    /** Tokens from which a quantized row is dequantized once instead of decoded per token. */
    static final int DEQUANTIZE_MIN_TOKENS = 4;
    /** Floats of dequantized rows one thread keeps per tile: 512 KiB, a quarter of a 2 MiB L2 cache. */
    static final int TILE_FLOATS = 128 * 1024;
    /** Most rows in one tile (narrow matrices would otherwise make tiles longer than a thread's share). */
    static final int MAX_TILE_ROWS = 64;

    private final ComputePool pool;
    /** One tile buffer per compute thread, grown on demand and then reused. */
    private final ThreadLocal<float[]> tileBuffers = ThreadLocal.withInitial(() -> new float[0]);
    /** Scratch of {@link F32Tensor#dot4x4} and {@link F32Tensor#dot4}, one per compute thread. */
    private final ThreadLocal<float[]> scratchBuffers = ThreadLocal.withInitial(() -> new float[Math.max(F32Tensor.DOT4X4_SCRATCH, TokenLanes.SCRATCH)]);
    /** Rounded activations, one buffer per calling thread, grown on demand and then reused. */
    private final ThreadLocal<float[]> activationBuffers = ThreadLocal.withInitial(() -> new float[0]);
    /** Q8_1 block-sum corrections of the rounded activations, one buffer per calling thread. */
    private final ThreadLocal<float[]> correctionBuffers = ThreadLocal.withInitial(() -> new float[0]);
    /** One dequantized row per compute thread, copied into a token-lane panel. */
    private final ThreadLocal<float[]> rowBuffers = ThreadLocal.withInitial(() -> new float[0]);
    /** Transposed activations of a token-lane product, one buffer per calling thread. */
    private final ThreadLocal<float[]> transposedBuffers = ThreadLocal.withInitial(() -> new float[0]);
    /** The rounding and transposing job of a token-lane product, one per calling thread. */
    private final ThreadLocal<Preparation> preparations = ThreadLocal.withInitial(Preparation::new);
    /** The parallel job, one per calling thread, refilled for every call. */
    private final ThreadLocal<Product> products = ThreadLocal.withInitial(Product::new);

    public MatMul(ComputePool pool) {
        this.pool = pool;
    }

    public ComputePool pool() {
        return pool;
    }

    /** {@code out[r] = dot(w[r, :], x)} for {@code r < rows}: one token. */
    public void matvec(FloatTensor w, int rows, int cols, float[] x, float[] out) {
        float[] xq = roundActivations(w.type(), x, cols, 1);
        run(false, null, w, rows, cols, xq, 1, out);
    }

    /**
     * {@code out[t * rows + r] = dot(w[r, :], x[t * cols ...])} for {@code t < tokens}: several tokens
     * at once, so each weight row is read from memory once per call.
     */
    public void matmul(FloatTensor w, int rows, int cols, float[] input, int tokens, float[] out) {
        if (tokens == 1) {
            matvec(w, rows, cols, input, out);
            return;
        }
        boolean tiled = tokens >= DEQUANTIZE_MIN_TOKENS && dequantizesFast(w.type());
        if (tiled && usesTokenLanes(tokens)) {
            runTokenLanes(w, rows, cols, input, tokens, out);
            return;
        }
        float[] x = roundActivations(w.type(), input, cols, tokens);
        run(tiled, null, w, rows, cols, x, tokens, out);
    }

    /**
     * The token-lane product: the activations are rounded and transposed group by group on all
     * threads ({@link Preparation}), then the tiles run as in {@link #run}.
     */
    private void runTokenLanes(FloatTensor w, int rows, int cols, float[] input, int tokens, float[] out) {
        GgmlType type = w.type();
        Preparation preparation = preparations.get();
        preparation.type = type;
        preparation.input = input;
        preparation.cols = cols;
        preparation.tokens = tokens;
        preparation.rounded = ActivationQuantizer.rounds(type) ? atLeast(activationBuffers, cols * tokens) : input;
        preparation.corrections = ActivationQuantizer.keepsBlockSums(type)
                ? atLeast(correctionBuffers, cols * tokens / ActivationQuantizer.Q8_0_BLOCK) : null;
        preparation.xt = atLeast(transposedBuffers, TokenLanes.transposedLength(cols, tokens));
        try {
            pool.parallelFor(TokenLanes.groups(tokens), preparation);
            run(true, preparation.xt, w, rows, cols, preparation.rounded, tokens, out);
        } finally {
            preparation.input = null;
            preparation.rounded = null;
            preparation.corrections = null;
            preparation.xt = null;
        }
    }

    /** Rounds ({@link ActivationQuantizer}) and transposes ({@link TokenLanes#transpose}) groups of tokens. */
    private static final class Preparation implements ComputePool.RangeTask {
        private GgmlType type;
        private float[] input;
        private int cols;
        private int tokens;
        private float[] rounded;
        private float[] corrections;
        private float[] xt;

        @Override
        public void run(int fromGroup, int toGroup) {
            int lanes = TokenLanes.lanes();
            int from = fromGroup * lanes;
            int to = Math.min(tokens, toGroup * lanes);
            int offset = from * cols;
            int length = (to - from) * cols;
            if (rounded != input) {
                roundRange(type, input, offset, length, rounded, corrections);
            }
            TokenLanes.transpose(rounded, cols, tokens, fromGroup, toGroup, xt);
        }
    }

    /**
     * Runs the product on the pool: {@code tiled} or fused per row, and with the tokens in vector lanes
     * when {@code xt} (the transposed activations) is not null.
     */
    private void run(boolean tiled, float[] xt, FloatTensor w, int rows, int cols, float[] x, int tokens,
            float[] out) {
        Product product = products.get();
        product.tiled = tiled;
        product.xt = xt;
        product.w = w;
        product.rows = rows;
        product.cols = cols;
        product.x = x;
        product.tokens = tokens;
        product.out = out;
        product.corrections = corrections(w.type());
        try {
            pool.parallelFor(rows, product);
        } finally {
            product.w = null;
            product.x = null;
            product.out = null;
            product.corrections = null;
            product.xt = null;
        }
    }

    /**
     * Types whose vector dequantization makes dequantize-once beat per-token decoding (F32 too: its
     * "dequantization" is a copy, and the tile's float dot equals its direct dot bit for bit).
     */
    static boolean dequantizesFast(GgmlType type) {
        return Kernels.VECTOR && type != GgmlType.Q8_K && FloatTensor.supports(type);
    }

    /**
     * Whether a tiled product of {@code tokens} tokens puts the tokens in vector lanes: from one full
     * group of lanes on. Below that most lanes would be idle and the four-by-four tiles are faster.
     */
    static boolean usesTokenLanes(int tokens) {
        return Kernels.VECTOR && tokens >= TokenLanes.lanes();
    }

    /** Most panels in one tile of the token-lane product. */
    static final int MAX_TILE_PANELS = 4;

    /** Panels of one token-lane tile for rows of {@code cols} floats: at least one, within {@link #TILE_FLOATS}. */
    static int tilePanels(int cols) {
        return Math.max(1, Math.min(MAX_TILE_PANELS, TILE_FLOATS / TokenLanes.panelLength(cols)));
    }

    /** Rows of one tile for rows of {@code cols} floats. */
    static int tileRows(int cols) {
        return Math.max(1, Math.min(MAX_TILE_ROWS, TILE_FLOATS / cols));
    }

    /**
     * {@code x} rounded for {@code weightType} ({@link ActivationQuantizer}) into this thread's buffer,
     * or {@code x} itself when the type keeps float activations.
     */
    private float[] roundActivations(GgmlType weightType, float[] x, int cols, int tokens) {
        if (!ActivationQuantizer.rounds(weightType)) {
            return x;
        }
        int n = cols * tokens;
        float[] rounded = atLeast(activationBuffers, n);
        float[] corrections = ActivationQuantizer.keepsBlockSums(weightType)
                ? atLeast(correctionBuffers, n / ActivationQuantizer.Q8_0_BLOCK) : null;
        roundRange(weightType, x, 0, n, rounded, corrections);
        return rounded;
    }

    /**
     * {@code x[offset, offset + length)} rounded for {@code weightType} into {@code rounded} at the same
     * offset, with the Q8_1 block-sum corrections into {@code corrections} when it is not null.
     */
    private static void roundRange(GgmlType weightType, float[] x, int offset, int length, float[] rounded,
            float[] corrections) {
        if (corrections != null) {
            ActivationQuantizer.roundQ8_1(x, offset, length, rounded, offset, corrections,
                    offset / ActivationQuantizer.Q8_0_BLOCK);
        } else {
            ActivationQuantizer.round(weightType, x, offset, length, rounded, offset);
        }
    }

    /** The block-sum corrections {@link #roundActivations} just wrote for Q4_1/Q5_1, else null. */
    private float[] corrections(GgmlType weightType) {
        return ActivationQuantizer.keepsBlockSums(weightType) ? correctionBuffers.get() : null;
    }

    /** This thread's buffer from {@code buffers}, replaced by a larger one when shorter than {@code floats}. */
    private static float[] atLeast(ThreadLocal<float[]> buffers, int floats) {
        float[] buffer = buffers.get();
        if (buffer.length < floats) {
            buffer = new float[floats];
            buffers.set(buffer);
        }
        return buffer;
    }

    /** One product's operands; {@link #run} computes output rows {@code [from, to)} on one thread. */
    private final class Product implements ComputePool.RangeTask {
        private boolean tiled;
        private FloatTensor w;
        private int rows;
        private int cols;
        private float[] x;
        private int tokens;
        private float[] out;
        /** Q8_1 block-sum corrections per token and block, or null when the type has none. */
        private float[] corrections;
        /** The transposed activations when the tiles go through {@link TokenLanes}, else null. */
        private float[] xt;

        @Override
        public void run(int from, int to) {
            if (tiled) {
                tiledRows(from, to);
            } else {
                fusedRows(from, to);
            }
        }

        /** Each (row, token) with the type's fused dequantize-and-dot kernel; the row stays in L1. */
        private void fusedRows(int from, int to) {
            if (w.decodesByDequantizing()) {
                dequantizedRows(from, to);
                return;
            }
            for (int r = from; r < to; r++) {
                long rowOffset = (long) r * cols;
                for (int t = 0; t < tokens; t++) {
                    out[t * rows + r] = w.dot(rowOffset, x, t * cols, cols);
                }
                addCorrections(r);
            }
        }

        /** Each row dequantized into this thread's buffer (it stays in L1), then float dots with every token. */
        private void dequantizedRows(int from, int to) {
            float[] row = atLeast(tileBuffers, cols);
            for (int r = from; r < to; r++) {
                w.dequantize((long) r * cols, row, 0, cols);
                for (int t = 0; t < tokens; t++) {
                    out[t * rows + r] = F32Tensor.dot(row, 0, x, t * cols, cols);
                }
                addCorrections(r);
            }
        }

        /** Adds the Q8_1 block-sum correction of every token to output row {@code r} (none when null). */
        private void addCorrections(int r) {
            if (corrections == null) {
                return;
            }
            long rowOffset = (long) r * cols;
            int blocksPerToken = cols / ActivationQuantizer.Q8_0_BLOCK;
            for (int t = 0; t < tokens; t++) {
                out[t * rows + r] += w.blockSumCorrection(rowOffset, corrections, t * blocksPerToken, cols);
            }
        }

        /**
         * Tiles of up to {@link #MAX_TILE_PANELS} panels of {@link TokenLanes#PANEL_ROWS} rows, each row
         * dequantized once into this thread's row buffer and copied into its panel, then every token
         * group against every panel of the tile ({@link TokenLanes#multiply}).
         */
        private void laneRows(int from, int to) {
            int padded = TokenLanes.paddedCols(cols);
            int panelLength = TokenLanes.panelLength(cols);
            int tilePanels = tilePanels(cols);
            float[] tile = atLeast(tileBuffers, tilePanels * panelLength);
            float[] row = atLeast(rowBuffers, padded);
            java.util.Arrays.fill(row, cols, padded, 0f);
            float[] scratch = scratchBuffers.get();
            int groups = TokenLanes.groups(tokens);
            int tileRows = tilePanels * TokenLanes.PANEL_ROWS;
            for (int first = from; first < to; first += tileRows) {
                int last = Math.min(to, first + tileRows);
                for (int r = first; r < last; r++) {
                    w.dequantize((long) r * cols, row, 0, cols);
                    int i = r - first;
                    TokenLanes.toPanel(row, cols, i % TokenLanes.PANEL_ROWS, tile,
                            i / TokenLanes.PANEL_ROWS * panelLength);
                }
                for (int g = 0; g < groups; g++) {
                    for (int p = first; p < last; p += TokenLanes.PANEL_ROWS) {
                        TokenLanes.multiply(tile, (p - first) / TokenLanes.PANEL_ROWS * panelLength, cols, xt, g,
                                tokens, out, p, Math.min(TokenLanes.PANEL_ROWS, last - p), rows, scratch);
                    }
                }
                for (int r = first; r < last; r++) {
                    addCorrections(r);
                }
            }
        }

        /** Tiles of {@link #tileRows} rows, dequantized once, each dotted with all tokens four at a time. */
        private void tiledRows(int from, int to) {
            if (xt != null) {
                laneRows(from, to);
                return;
            }
            int tileRows = tileRows(cols);
            float[] tile = atLeast(tileBuffers, tileRows * cols);
            float[] scratch = scratchBuffers.get();
            for (int first = from; first < to; first += tileRows) {
                int last = Math.min(to, first + tileRows);
                for (int r = first; r < last; r++) {
                    w.dequantize((long) r * cols, tile, (r - first) * cols, cols);
                }
                // Overlapping last groups (tokens - 4, last - 4) instead of leftovers: every output of a
                // 4 x 4 block depends only on its own row and token, so a recomputed output is the same
                // bits, and a token's result does not depend on where it sits in the batch.
                boolean blocks = last - first >= 4;
                for (int t = 0; t < tokens; t += 4) {
                    int t0 = Math.min(t, tokens - 4);
                    if (blocks) {
                        for (int r = first; r < last; r += 4) {
                            int r0 = Math.min(r, last - 4);
                            F32Tensor.dot4x4(tile, (r0 - first) * cols, x, t0 * cols, cols, out, t0 * rows + r0, rows,
                                    scratch);
                        }
                    } else {
                        for (int r = first; r < last; r++) {
                            F32Tensor.dot4(tile, (r - first) * cols, x, t0 * cols, cols, out, t0 * rows + r, rows,
                                    scratch);
                        }
                    }
                }
                for (int r = first; r < last; r++) {
                    addCorrections(r);
                }
            }
        }
    }
}
