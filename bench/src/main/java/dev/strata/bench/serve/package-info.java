/**
 * {@code ./strata bench serve}: Strata's serving engine under concurrent load (aggregate tokens/s,
 * TTFT and inter-token latency percentiles per concurrency level), beside llama.cpp's server loop
 * with the same number of parallel slots, and the prefix cache's TTFT benefit.
 */
package dev.strata.bench.serve;
