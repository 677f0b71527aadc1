/**
 * Who uses Strata and what each may use: {@link dev.strata.server.tenant.Tenant}s, their
 * {@link dev.strata.server.tenant.ApiKey}s and the {@link dev.strata.server.tenant.Quota} that
 * bounds both. Plain values; storage lives in {@code server.store}, enforcement in
 * {@code server.admit} and {@code server.quota}.
 */
package dev.strata.server.tenant;
