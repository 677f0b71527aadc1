/**
 * Server configuration: the records ({@link dev.strata.server.config.StrataConfig} and its parts) and
 * {@link dev.strata.server.config.ConfigLoader}, which reads one YAML file, applies {@code STRATA_*}
 * environment variables and then command-line flags, and validates the result, naming the key of
 * any bad value. Nothing here starts a server or loads a model.
 */
package dev.strata.server.config;
