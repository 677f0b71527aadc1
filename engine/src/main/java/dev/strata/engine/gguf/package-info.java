/**
 * The GGUF file format: {@link dev.strata.engine.gguf.GgufFile} reads a file memory-mapped through
 * the FFM API (zero copy, files larger than 2 GB), {@link dev.strata.engine.gguf.GgufWriter} writes
 * one. Every length, count and offset read from a file is checked against the file's size before it
 * is used, so a corrupt file is an {@link dev.strata.engine.EngineException.InvalidModelFile}, never an
 * out-of-memory error or a JVM crash.
 *
 * <p>Format reference: ggml's {@code docs/gguf.md} (magic "GGUF", version 2 or 3, little-endian,
 * 64-bit counts, metadata key/value pairs, tensor infos, then tensor data aligned to
 * {@code general.alignment}, default 32).
 */
package dev.strata.engine.gguf;
