/** Benchmarks: model generator, peer comparisons (llama.cpp through JNI), load generator, JMH kernels. */
package dev.strata.bench;
