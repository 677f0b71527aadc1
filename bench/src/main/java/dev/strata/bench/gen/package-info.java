/**
 * Random-weight GGUF models with the exact tensor shapes and metadata of real ones (SmolLM2-135M,
 * Qwen2.5-0.5B, Llama-3.2-1B) and tiny variants for tests, carrying a real tokenizer vocabulary, so
 * that Strata and llama.cpp run the same file: for benchmarks (timings on honest shapes) and for
 * parity tests (same logits on every architecture variant and weight type).
 */
package dev.strata.bench.gen;
