/**
 * Tokenizer throughput: {@code ./strata bench tokenize} encodes a megabyte of English with the
 * vocabularies of the tokenizer parity set and reports MB/s.
 */
package dev.strata.bench.tokenizer;
