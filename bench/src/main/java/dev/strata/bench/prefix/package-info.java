/** {@code ./strata bench prefix-persist}: cold TTFT against a restarted engine's TTFT with its prefix cache on disk. */
package dev.strata.bench.prefix;
