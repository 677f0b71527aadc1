/**
 * {@code ./strata bench gateway}: the latency, CPU and memory a gateway (Strata, and Portkey's as the
 * peer) adds over calling an upstream directly, under open-loop fixed-rate load on loopback.
 */
package dev.strata.bench.gateway;
