/**
 * Identity: who is calling. {@link dev.strata.server.auth.KeyMaker} makes API keys
 * ({@code sk-strata-<id>_<secret>}, shown once) and their salted hashes;
 * {@link dev.strata.server.auth.Authenticator} turns an {@code Authorization} header into a
 * {@link dev.strata.server.auth.Caller} or a refusal (a value, mapped to 401 at the API edge);
 * {@link dev.strata.server.auth.AdminAuth} guards {@code /admin/*}.
 */
package dev.strata.server.auth;
