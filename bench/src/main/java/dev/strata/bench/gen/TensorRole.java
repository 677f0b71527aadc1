package dev.strata.bench.gen;

/** What a weight matrix does, which is what llama.cpp's quantization mixes key on. */
public enum TensorRole {
    TOKEN_EMBEDDING, OUTPUT, ATTENTION_Q, ATTENTION_K, ATTENTION_V, ATTENTION_OUTPUT, FFN_GATE, FFN_UP, FFN_DOWN
}
