/**
 * The model registry: which models this server serves, their load state, and the engines behind
 * them. {@link dev.strata.server.registry.ModelLoader} turns a configured model into a running
 * engine; {@link dev.strata.server.registry.ModelRegistry} loads and warms each one up and answers
 * readiness.
 */
package dev.strata.server.registry;
