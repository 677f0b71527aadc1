/**
 * Admission control: whether a request may start now. {@link dev.strata.server.admit.Admission} is
 * the stage; {@link dev.strata.server.admit.ConcurrencyLimit} bounds the requests in flight. A
 * rejection is a value ({@link dev.strata.server.admit.Decision.Rejected}), which the API turns into
 * 429 with {@code Retry-After}.
 */
package dev.strata.server.admit;
