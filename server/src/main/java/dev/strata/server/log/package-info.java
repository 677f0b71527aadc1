/**
 * Structured logs: one JSON object per line ({@link dev.strata.server.log.JsonLog}) — one line per
 * request and one per lifecycle event — at a configurable level, ready for any log shipper.
 */
package dev.strata.server.log;
