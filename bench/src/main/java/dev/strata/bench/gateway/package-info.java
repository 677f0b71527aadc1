/**
 * {@code ./strata bench gateway}: the latency the routing stage adds over calling an upstream
 * directly, under open-loop fixed-rate load on loopback.
 */
package dev.strata.bench.gateway;
