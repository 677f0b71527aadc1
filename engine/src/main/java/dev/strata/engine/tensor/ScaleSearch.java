package dev.strata.engine.tensor;

/**
 * The scale searches of ggml's reference quantizers ({@code ggml-quants.c}: {@code nearest_int},
 * {@code make_qx_quants}, {@code make_q3_quants}, {@code make_qkx2_quants}), re-derived here so that
 * Strata's files match what llama.cpp's reference quantizer writes. Arithmetic is plain IEEE float
 * in ggml's evaluation order (no fused multiply-add), which is what makes the results reproducible.
 * Quantized levels are written to {@code byte[]} scratch arrays supplied by the caller.
 */
final class ScaleSearch {
    /** Groups whose largest magnitude is below this are treated as all zero (ggml's GROUP_MAX_EPS). */
    static final float GROUP_MAX_EPS = 1e-15f;

    /** 1.5 · 2^23: a float of magnitude below 2^22 plus this is rounded to an integer, ties to even. */
    static final float ROUND_TO_INTEGER = 12582912f;

    private ScaleSearch() {}

    /**
     * Round to nearest, ties to even, for {@code |value| <= 4194303}: adding 1.5 * 2^23 leaves the
     * rounded integer in the low mantissa bits (ggml's {@code nearest_int}).
     */
    static int nearestInt(float value) {
        float shifted = value + ROUND_TO_INTEGER;
        return (Float.floatToRawIntBits(shifted) & 0x007F_FFFF) - 0x0040_0000;
    }

    /** C's {@code roundf}: halfway cases away from zero. */
    static int roundAwayFromZero(float value) {
        double r = Math.floor(Math.abs((double) value) + 0.5);
        return (int) (value < 0 ? -r : r);
    }

    /**
     * Symmetric quantization of {@code n} values to {@code [-nmax, nmax - 1]} with an RMSE search
     * over 19 candidate scales ({@code make_qx_quants}, weights {@code x^2} for rmse type 1).
     * Levels {@code l + nmax} go to {@code levels[at ...]}; returns the scale.
     */
    static float makeQxQuants(int n, int nmax, float[] x, int xOffset, byte[] levels, int at, int rmseType) {
        float max = 0;
        float amax = 0;
        for (int i = 0; i < n; ++i) {
            float ax = Math.abs(x[xOffset + i]);
            if (ax > amax) {
                amax = ax;
                max = x[xOffset + i];
            }
        }
        if (amax < GROUP_MAX_EPS) {
            for (int i = 0; i < n; ++i) {
                levels[at + i] = 0;
            }
            return 0f;
        }
        float iscale = -nmax / max;
        if (rmseType == 0) {
            for (int i = 0; i < n; ++i) {
                int l = nearestInt(iscale * x[xOffset + i]);
                levels[at + i] = (byte) (nmax + Math.max(-nmax, Math.min(nmax - 1, l)));
            }
            return 1 / iscale;
        }
        float sumlx = 0;
        float suml2 = 0;
        for (int i = 0; i < n; ++i) {
            float xi = x[xOffset + i];
            int l = nearestInt(iscale * xi);
            l = Math.max(-nmax, Math.min(nmax - 1, l));
            levels[at + i] = (byte) (l + nmax);
            float w = weight(rmseType, xi);
            sumlx += w * xi * l;
            suml2 += w * l * l;
        }
        float scale = suml2 != 0 ? sumlx / suml2 : 0.0f;
        float best = scale * sumlx;
        for (int is = -9; is <= 9; ++is) {
            if (is == 0) {
                continue;
            }
            iscale = -(nmax + 0.1f * is) / max;
            sumlx = 0;
            suml2 = 0;
            for (int i = 0; i < n; ++i) {
                float xi = x[xOffset + i];
                int l = nearestInt(iscale * xi);
                l = Math.max(-nmax, Math.min(nmax - 1, l));
                float w = weight(rmseType, xi);
                sumlx += w * xi * l;
                suml2 += w * l * l;
            }
            if (suml2 > 0 && sumlx * sumlx > best * suml2) {
                for (int i = 0; i < n; ++i) {
                    int l = nearestInt(iscale * x[xOffset + i]);
                    levels[at + i] = (byte) (nmax + Math.max(-nmax, Math.min(nmax - 1, l)));
                }
                scale = sumlx / suml2;
                best = scale * sumlx;
            }
        }
        return scale;
    }

    private static float weight(int rmseType, float x) {
        return switch (rmseType) {
            case 1 -> x * x;
            case 2 -> 1;
            case 3 -> Math.abs(x);
            default -> (float) Math.sqrt(Math.abs(x));
        };
    }

    /**
     * Symmetric 3-bit quantization with iterative refinement ({@code make_q3_quants} with
     * {@code do_rmse}): levels {@code l + nmax} in {@code [0, 2 * nmax)}; returns the scale.
     */
    static float makeQ3Quants(int n, int nmax, float[] x, int xOffset, byte[] levels, int at) {
        float max = 0;
        float amax = 0;
        for (int i = 0; i < n; ++i) {
            float ax = Math.abs(x[xOffset + i]);
            if (ax > amax) {
                amax = ax;
                max = x[xOffset + i];
            }
        }
        if (amax < GROUP_MAX_EPS) {
            for (int i = 0; i < n; ++i) {
                levels[at + i] = 0;
            }
            return 0f;
        }
        float iscale = -nmax / max;
        float sumlx = 0;
        float suml2 = 0;
        for (int i = 0; i < n; ++i) {
            float xi = x[xOffset + i];
            int l = nearestInt(iscale * xi);
            l = Math.max(-nmax, Math.min(nmax - 1, l));
            levels[at + i] = (byte) l;
            float w = xi * xi;
            sumlx += w * xi * l;
            suml2 += w * l * l;
        }
        for (int itry = 0; itry < 5; ++itry) {
            int changed = 0;
            for (int i = 0; i < n; ++i) {
                float xi = x[xOffset + i];
                int li = levels[at + i];
                float w = xi * xi;
                float slx = sumlx - w * xi * li;
                if (slx > 0) {
                    float sl2 = suml2 - w * li * li;
                    int newL = nearestInt(xi * sl2 / slx);
                    newL = Math.max(-nmax, Math.min(nmax - 1, newL));
                    if (newL != li) {
                        slx += w * xi * newL;
                        sl2 += w * newL * newL;
                        if (sl2 > 0 && slx * slx * suml2 > sumlx * sumlx * sl2) {
                            levels[at + i] = (byte) newL;
                            sumlx = slx;
                            suml2 = sl2;
                            ++changed;
                        }
                    }
                }
            }
            if (changed == 0) {
                break;
            }
        }
        for (int i = 0; i < n; ++i) {
            levels[at + i] += (byte) nmax;
        }
        return suml2 > 0.0f ? sumlx / suml2 : 0.0f;
    }

    /**
     * Asymmetric quantization {@code x ~ scale * l - min} with {@code l} in {@code [0, nmax]}: a
     * weighted least-squares fit of scale and min over {@code nstep + 1} candidate scales
     * ({@code make_qkx2_quants}). Writes levels to {@code levels[at ...]}, the (positive) min to
     * {@code minOut[minAt]}, and returns the scale. {@code aux} is scratch of at least {@code n}.
     */
    static float makeQkx2Quants(int n, int nmax, float[] x, int xOffset, float[] weights, byte[] levels, int at,
            float[] minOut, int minAt, byte[] aux, float rmin, float rdelta, int nstep, boolean useMad) {
        float min = x[xOffset];
        float max = x[xOffset];
        float sumW = weights[0];
        float sumX = sumW * x[xOffset];
        for (int i = 1; i < n; ++i) {
            float xi = x[xOffset + i];
            if (xi < min) {
                min = xi;
            }
            if (xi > max) {
                max = xi;
            }
            float w = weights[i];
            sumW += w;
            sumX += w * xi;
        }
        if (min > 0) {
            min = 0;
        }
        if (max == min) {
            for (int i = 0; i < n; ++i) {
                levels[at + i] = 0;
            }
            minOut[minAt] = -min;
            return 0.f;
        }
        float iscale = nmax / (max - min);
        float scale = 1 / iscale;
        float bestError = 0;
        for (int i = 0; i < n; ++i) {
            int l = nearestInt(iscale * (x[xOffset + i] - min));
            l = Math.max(0, Math.min(nmax, l));
            levels[at + i] = (byte) l;
            float diff = scale * l + min - x[xOffset + i];
            diff = useMad ? Math.abs(diff) : diff * diff;
            bestError += weights[i] * diff;
        }
        if (nstep < 1) {
            minOut[minAt] = -min;
            return scale;
        }
        for (int is = 0; is <= nstep; ++is) {
            iscale = (rmin + rdelta * is + nmax) / (max - min);
            float sumL = 0;
            float sumL2 = 0;
            float sumXl = 0;
            for (int i = 0; i < n; ++i) {
                float xi = x[xOffset + i];
                int l = nearestInt(iscale * (xi - min));
                l = Math.max(0, Math.min(nmax, l));
                aux[i] = (byte) l;
                float w = weights[i];
                sumL += w * l;
                sumL2 += w * l * l;
                sumXl += w * l * xi;
            }
            float det = sumW * sumL2 - sumL * sumL;
            if (det > 0) {
                float thisScale = (sumW * sumXl - sumX * sumL) / det;
                float thisMin = (sumL2 * sumX - sumL * sumXl) / det;
                if (thisMin > 0) {
                    thisMin = 0;
                    thisScale = sumXl / sumL2;
                }
                float curError = 0;
                for (int i = 0; i < n; ++i) {
                    float diff = thisScale * aux[i] + thisMin - x[xOffset + i];
                    diff = useMad ? Math.abs(diff) : diff * diff;
                    curError += weights[i] * diff;
                }
                if (curError < bestError) {
                    System.arraycopy(aux, 0, levels, at, n);
                    bestError = curError;
                    scale = thisScale;
                    min = thisMin;
                }
            }
        }
        minOut[minAt] = -min;
        return scale;
    }
}
