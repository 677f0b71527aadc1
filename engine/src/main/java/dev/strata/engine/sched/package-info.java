/**
 * Who runs each step. {@link dev.strata.engine.sched.Scheduler} does iteration-level (continuous)
 * batching with one model of progress: each sequence has tokens (prompt plus output) and computed
 * tokens, and every step gives each running sequence as many new tokens as the step's token budget
 * allows, so chunked prefill, decode and prefix-cache hits are one code path. It asks
 * {@link dev.strata.engine.kv.KvCacheManager} for memory and preempts (frees and requeues) the
 * lowest-priority sequences when there is none. Imports flow {@code sched -> kv}.
 */
package dev.strata.engine.sched;
