/**
 * Strata's server module: APIs, gateway stages, model registry and the command-line interface.
 * Each concept lives in its own subpackage ({@code cli}, and later {@code api}, {@code admit},
 * {@code route} ...).
 */
package dev.strata.server;
