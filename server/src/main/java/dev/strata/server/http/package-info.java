/**
 * The HTTP listener: Jetty 12 with request handling on virtual threads, optional TLS from PEM
 * files ({@link dev.strata.server.http.PemKeyStore}), and graceful stop (stop accepting, let
 * in-flight requests finish within the drain timeout). What the requests mean is
 * {@code dev.strata.server.api}'s business.
 */
package dev.strata.server.http;
