/**
 * Tokenizers built from GGUF metadata ({@code tokenizer.ggml.*}): SentencePiece-style, byte-level
 * BPE with the pre-tokenizers of common model families, and WordPiece; plus streaming decoding that
 * never emits half a UTF-8 character.
 */
package dev.strata.engine.tokenizer;
