/**
 * Key/value memory of attention. A sequence's cache is read and written only through its block
 * table ({@link dev.strata.engine.kv.KvCache#slot}): token position {@code p} lives in physical
 * block {@code physicalBlock(p / blockSize)} at row {@code p % blockSize}. Today each sequence owns
 * a {@link dev.strata.engine.kv.ContiguousKvCache}; a shared paged pool only needs another
 * implementation of the same interface, the attention code does not change.
 */
package dev.strata.engine.kv;
