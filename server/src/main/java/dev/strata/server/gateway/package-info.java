/**
 * The running gateway: {@link dev.strata.server.gateway.Gateway} wires configuration, model registry,
 * admission, inference and the listeners together, starts them in order and stops them gracefully.
 * It is the composition root that {@code strata serve} and the end-to-end tests share.
 */
package dev.strata.server.gateway;
