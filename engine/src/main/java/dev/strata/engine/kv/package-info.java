/**
 * Key/value memory of attention. {@link dev.strata.engine.kv.BlockPool} owns one pool of fixed-size
 * blocks (sized from a byte budget, a hard cap), their reference counts, the LRU free queue and the
 * prefix cache's hash-to-block map; {@link dev.strata.engine.kv.KvCacheManager} answers the
 * scheduler ("cached prefix?", "room for N tokens?", "free"); each sequence reads and writes through
 * its {@link dev.strata.engine.kv.PagedKvCache} block table ({@link dev.strata.engine.kv.KvCache#slot}:
 * position {@code p} lives in physical block {@code physicalBlock(p / blockSize)} at row
 * {@code p % blockSize}). Rows are stored as {@link dev.strata.engine.kv.KvCacheType} says (F32,
 * F16, Q8_0) in one {@link dev.strata.engine.kv.KvRows} per layer, which attention reads through
 * dequantizing dot and axpy kernels. A {@link dev.strata.engine.kv.PrefixStore} (on disk:
 * {@link dev.strata.engine.kv.DiskPrefixStore}) is the prefix cache's second level, across restarts.
 * {@link dev.strata.engine.kv.ContiguousKvCache} is the single-sequence implementation tests and
 * tools use. {@code kv} imports nothing of the engine.
 */
package dev.strata.engine.kv;
