package dev.strata.bench.gen;

import dev.strata.engine.gguf.GgmlType;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The weight type of a generated file, as {@code llama-quantize} names it. A single type puts every
 * weight matrix in that type (like {@code llama-quantize --pure}); {@code Q4_K_M} and {@code Q5_K_M}
 * are llama.cpp's mixes (llama.cpp {@code src/llama-quant.cpp}, {@code llama_tensor_get_type}): the
 * output matrix (or the tied embedding) in Q6_K, and {@code attn_v} and {@code ffn_down} in Q6_K on
 * the layers where {@link #useMoreBits} holds. A matrix whose rows do not fit the type's block falls
 * back as llama.cpp does (Q4_K to Q5_0, Q5_K to Q5_1, Q6_K to Q8_0, Q2_K/Q3_K to Q4_0, then F16).
 * Vectors (norms, biases, rope factors) stay F32.
 */
public enum WeightType {
    F32(0, GgmlType.F32),
    F16(1, GgmlType.F16),
    BF16(32, GgmlType.BF16),
    Q8_0(7, GgmlType.Q8_0),
    Q4_0(2, GgmlType.Q4_0),
    Q4_1(3, GgmlType.Q4_1),
    Q5_0(8, GgmlType.Q5_0),
    Q5_1(9, GgmlType.Q5_1),
    Q2_K(10, GgmlType.Q2_K),
    Q3_K(11, GgmlType.Q3_K),
    Q4_K(14, GgmlType.Q4_K),
    Q5_K(16, GgmlType.Q5_K),
    Q6_K(18, GgmlType.Q6_K),
    Q4_K_M(15, GgmlType.Q4_K),
    Q5_K_M(17, GgmlType.Q5_K);

    private final int fileType;
    private final GgmlType baseType;

    WeightType(int fileType, GgmlType baseType) {
        this.fileType = fileType;
        this.baseType = baseType;
    }

    /** llama.cpp's {@code llama_ftype}, written as {@code general.file_type}. */
    public int fileType() {
        return fileType;
    }

    /** The type most matrices get. */
    public GgmlType baseType() {
        return baseType;
    }

    public boolean isMix() {
        return this == Q4_K_M || this == Q5_K_M;
    }

    /** Parses a name such as {@code q4_k_m} or {@code F16}; the message lists the known names. */
    public static WeightType parse(String name) {
        try {
            return valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown weight type '" + name + "'; known: "
                    + Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", ")), e);
        }
    }

    /**
     * The type of one weight matrix.
     *
     * @param rowLength  the matrix's innermost dimension (ggml's ne[0])
     * @param layer      its block index (0 for matrices outside the blocks)
     * @param tiedOutput whether the token embedding is also the output matrix
     */
    public GgmlType typeFor(TensorRole role, int rowLength, int layer, int numLayers, boolean tiedOutput) {
        GgmlType type = baseType;
        if (isMix()) {
            boolean outputLike = role == TensorRole.OUTPUT || (tiedOutput && role == TensorRole.TOKEN_EMBEDDING);
            if (outputLike) {
                type = rowLength % baseType.blockSize() != 0 ? GgmlType.Q8_0 : GgmlType.Q6_K;
            } else if ((role == TensorRole.ATTENTION_V || role == TensorRole.FFN_DOWN) && useMoreBits(layer, numLayers)) {
                type = GgmlType.Q6_K;
            }
        }
        return fallback(type, rowLength);
    }

    /** llama.cpp's choice of layers that get more bits: the first and last eighth, and every third between. */
    static boolean useMoreBits(int layer, int numLayers) {
        return layer < numLayers / 8 || layer >= 7 * numLayers / 8 || (layer - numLayers / 8) % 3 == 2;
    }

    private static GgmlType fallback(GgmlType type, int rowLength) {
        if (rowLength % type.blockSize() == 0) {
            return type;
        }
        GgmlType next = switch (type) {
            case Q4_K -> GgmlType.Q5_0;
            case Q5_K -> GgmlType.Q5_1;
            case Q6_K -> GgmlType.Q8_0;
            case Q2_K, Q3_K -> GgmlType.Q4_0;
            default -> GgmlType.F16;
        };
        return rowLength % next.blockSize() == 0 ? next : GgmlType.F16;
    }
}
