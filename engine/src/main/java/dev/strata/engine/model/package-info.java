/**
 * Model architectures: {@link dev.strata.engine.model.ModelConfig} (immutable hyper-parameters read
 * from GGUF metadata only), {@link dev.strata.engine.model.ModelWeights} (read-only tensor views of the
 * memory-mapped file, zero copy), {@link dev.strata.engine.model.ForwardState} (per-step scratch
 * buffers, allocated once) and {@link dev.strata.engine.model.Model#forward}, one batched forward pass
 * over the tokens of one or more sequences, whose attention reads keys and values through each
 * sequence's {@link dev.strata.engine.kv.KvCache} block table.
 *
 * <p>Supported: {@code llama} (Llama 2/3, Mistral, SmolLM, TinyLlama; GQA; llama-3 rope scaling),
 * {@code qwen2} (QKV bias), {@code qwen3} (Q/K RMS norm), {@code gemma}, {@code gemma2}
 * (soft-capping, sliding window, post norms), {@code gemma3} (Q/K norm, 5:1 local/global layers) and
 * {@code phi3} (fused QKV and gate-up tensors, short-context variants).
 */
package dev.strata.engine.model;
