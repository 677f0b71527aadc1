/**
 * {@code ./strata bench admission}: what admission control costs per request (tenant and key
 * limits, budgets, fair slot, settlement), with counters in this process and in Redis.
 */
package dev.strata.bench.admission;
