/**
 * Strata's pure-Java inference engine. A library with no HTTP in it: GGUF reading
 * ({@code gguf}), tensors and kernels, model architectures, tokenizers, chat templates,
 * sampling, KV cache and scheduler, each in its own package. {@link dev.strata.engine.EngineException}
 * is the module's single exception type.
 */
package dev.strata.engine;
