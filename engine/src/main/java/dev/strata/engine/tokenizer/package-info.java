/**
 * Tokenizers built from GGUF metadata ({@code tokenizer.ggml.*}), with exact parity with
 * llama.cpp: {@link dev.strata.engine.tokenizer.Tokenizers#fromGguf} picks SentencePiece
 * ({@code llama}), byte-level BPE with the pre-tokenizer of the model family ({@code gpt2}) or
 * WordPiece ({@code bert}). Special tokens are split out of text first (control tokens only when
 * asked); {@link dev.strata.engine.tokenizer.TokenDecoder} decodes a stream of ids without ever
 * emitting half a UTF-8 character. Machinery (vocabulary, pre-tokenizer table, regex splitter and
 * scanners, merge tables and queues) is package-private. See docs/tokenizers.md.
 */
package dev.strata.engine.tokenizer;
