/** The machine's memory read bandwidth: the physical limit of token generation, which streams every weight once per token. */
package dev.strata.bench.bandwidth;
