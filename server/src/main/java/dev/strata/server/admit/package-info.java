/**
 * Admission control: whether a request may start now. {@link dev.strata.server.admit.Admission} is
 * the stage; {@link dev.strata.server.admit.TenantAdmission} applies the caller's tenant and key
 * limits and takes a slot from the {@link dev.strata.server.admit.FairQueue}, which bounds the
 * requests in flight and shares them fairly between tenants. A refusal is a value
 * ({@link dev.strata.server.admit.Decision.Rejected}, {@link dev.strata.server.admit.Decision.Unavailable}),
 * which the API turns into 429 / 503 with {@code Retry-After}.
 */
package dev.strata.server.admit;
