/** Benchmarks of chat-template rendering ({@code engine.template}). */
package dev.strata.bench.template;
