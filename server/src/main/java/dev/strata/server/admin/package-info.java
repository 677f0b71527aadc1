/**
 * Administration of tenants and keys: {@link dev.strata.server.admin.KeyAdmin} is what
 * {@code /admin/*} and {@code strata keys} both call, so the HTTP API and the CLI act on the same
 * store in the same way (create a key and show it once, list, rotate, revoke; tenants CRUD).
 */
package dev.strata.server.admin;
