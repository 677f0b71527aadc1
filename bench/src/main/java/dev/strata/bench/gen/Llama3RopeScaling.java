package dev.strata.bench.gen;

/**
 * Llama 3.1+ RoPE scaling ({@code rope_scaling.rope_type = "llama3"} in the Hugging Face config):
 * frequencies whose wavelength exceeds {@code originalContext / lowFreqFactor} are divided by
 * {@code factor}, those shorter than {@code originalContext / highFreqFactor} are kept, and the band
 * between is interpolated. GGUF files carry the per-dimension divisors as the F32 tensor
 * {@code rope_freqs.weight} (llama.cpp multiplies each rotation angle by 1/divisor).
 */
public record Llama3RopeScaling(double factor, double lowFreqFactor, double highFreqFactor, int originalContext) {
    public Llama3RopeScaling {
        if (!(factor >= 1) || !(lowFreqFactor > 0) || !(highFreqFactor > lowFreqFactor) || originalContext < 1) {
            throw new IllegalArgumentException("invalid llama3 rope scaling " + factor + "/" + lowFreqFactor
                    + "/" + highFreqFactor + "/" + originalContext);
        }
    }

    /** The divisor of each of the {@code headDim / 2} rotation frequencies, for {@code rope_freqs.weight}. */
    public float[] frequencyDivisors(int headDim, double base) {
        float[] divisors = new float[headDim / 2];
        double lowFreqWavelength = originalContext / lowFreqFactor;
        double highFreqWavelength = originalContext / highFreqFactor;
        for (int i = 0; i < divisors.length; i++) {
            double frequency = 1.0 / Math.pow(base, 2.0 * i / headDim);
            double wavelength = 2 * Math.PI / frequency;
            double divisor;
            if (wavelength < highFreqWavelength) {
                divisor = 1;
            } else if (wavelength > lowFreqWavelength) {
                divisor = factor;
            } else {
                double smooth = (originalContext / wavelength - lowFreqFactor) / (highFreqFactor - lowFreqFactor);
                divisor = 1 / ((1 - smooth) / factor + smooth);
            }
            divisors[i] = (float) divisor;
        }
        return divisors;
    }
}
