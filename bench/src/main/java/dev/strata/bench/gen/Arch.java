package dev.strata.bench.gen;

/** The architectures the generator writes, by their GGUF {@code general.architecture} name. */
public enum Arch {
    /** Llama 2/3.x, SmolLM, Mistral: RMSNorm, GQA, SwiGLU, no biases. */
    LLAMA("llama"),
    /** Qwen2/2.5: llama plus biases on Q, K and V. */
    QWEN2("qwen2"),
    /** Qwen3: llama plus RMSNorm of each Q and K head, explicit head size. */
    QWEN3("qwen3");

    private final String ggufName;

    Arch(String ggufName) {
        this.ggufName = ggufName;
    }

    public String ggufName() {
        return ggufName;
    }
}
