/**
 * Side-by-side speed of Strata's engine and llama.cpp on the same GGUF file and thread count:
 * prefill and decode tokens per second, alternating runs, medians and spread.
 */
package dev.strata.bench.speed;
