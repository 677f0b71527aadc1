/**
 * Logit parity of Strata's forward pass with llama.cpp on the same GGUF file: next-token
 * distributions at every position of a sequence, and greedy continuations.
 */
package dev.strata.bench.parity;
