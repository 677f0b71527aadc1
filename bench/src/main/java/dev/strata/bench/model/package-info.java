/** Benchmarks of the model forward pass (JMH): decode steps and prompt chunks on the demo models. */
package dev.strata.bench.model;
