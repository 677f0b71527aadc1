package dev.strata.server.quota;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.util.List;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * {@link QuotaBackend} in Redis, shared by every replica that points at the same server and key
 * prefix. Each operation is one Lua script (https://redis.io/docs/latest/develop/interactive/programmability/eval-intro/),
 * so read-modify-write is atomic across replicas; buckets use Redis's own clock ({@code TIME}), so
 * replicas with skewed clocks still agree. Scripts are called by SHA and re-loaded when Redis
 * forgot them (after a restart). Commands fail fast while disconnected (no queueing), and every
 * Redis failure surfaces as {@link QuotaUnavailable}.
 */
public final class RedisQuotaBackend implements QuotaBackend {

    /** KEYS[1] bucket; ARGV capacity, cost, force. Returns {granted, retryAfterMillis}. */
    private static final String TAKE = """
            local cap = tonumber(ARGV[1])
            local cost = tonumber(ARGV[2])
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
            local b = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
            local tokens = tonumber(b[1])
            local ts = tonumber(b[2])
            if tokens == nil or ts == nil then tokens = cap; ts = now end
            local rate = cap / 60000000
            if now > ts then tokens = math.min(cap, tokens + (now - ts) * rate); ts = now end
            local granted = 0
            local wait = 0
            if ARGV[3] == '1' or tokens >= cost then
              tokens = tokens - cost
              granted = 1
            else
              wait = math.ceil((cost - tokens) / rate / 1000)
            end
            redis.call('HSET', KEYS[1], 'tokens', string.format('%.6f', tokens), 'ts', string.format('%.0f', ts))
            redis.call('PEXPIRE', KEYS[1], 120000)
            return {granted, wait}
            """;

    /**
     * KEYS: buckets then counters; ARGV: number of buckets, (capacity, cost) per bucket, max per
     * counter, counter TTL. All or nothing. Returns {granted, refused index, retryAfterMillis}.
     */
    private static final String TAKE_ALL = """
            local nb = tonumber(ARGV[1])
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
            local left = {}
            local stamp = {}
            for i = 1, nb do
              local cap = tonumber(ARGV[2 * i])
              local cost = tonumber(ARGV[2 * i + 1])
              local b = redis.call('HMGET', KEYS[i], 'tokens', 'ts')
              local tk = tonumber(b[1])
              local ts = tonumber(b[2])
              if tk == nil or ts == nil then tk = cap; ts = now end
              local rate = cap / 60000000
              if now > ts then tk = math.min(cap, tk + (now - ts) * rate); ts = now end
              if tk < cost then return {0, i - 1, math.ceil((cost - tk) / rate / 1000)} end
              left[i] = tk - cost
              stamp[i] = ts
            end
            local base = 2 * nb + 2
            for j = nb + 1, #KEYS do
              local n = tonumber(redis.call('GET', KEYS[j]) or '0')
              if n >= tonumber(ARGV[base + j - nb - 1]) then return {0, j - 1, 0} end
            end
            for i = 1, nb do
              redis.call('HSET', KEYS[i], 'tokens', string.format('%.6f', left[i]), 'ts', string.format('%.0f', stamp[i]))
              redis.call('PEXPIRE', KEYS[i], 120000)
            end
            for j = nb + 1, #KEYS do
              redis.call('INCR', KEYS[j])
              redis.call('EXPIRE', KEYS[j], ARGV[#ARGV])
            end
            return {1, -1, 0}
            """;

    /**
     * KEYS: debt buckets, sums, then counters to release; ARGV: number of buckets, number of sums,
     * (capacity, cost) per bucket, (delta, ttl) per sum.
     */
    private static final String SETTLE_ALL = """
            local nb = tonumber(ARGV[1])
            local ns = tonumber(ARGV[2])
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
            for i = 1, nb do
              local cap = tonumber(ARGV[2 * i + 1])
              local cost = tonumber(ARGV[2 * i + 2])
              local b = redis.call('HMGET', KEYS[i], 'tokens', 'ts')
              local tk = tonumber(b[1])
              local ts = tonumber(b[2])
              if tk == nil or ts == nil then tk = cap; ts = now end
              if now > ts then tk = math.min(cap, tk + (now - ts) * cap / 60000000); ts = now end
              redis.call('HSET', KEYS[i], 'tokens', string.format('%.6f', tk - cost), 'ts', string.format('%.0f', ts))
              redis.call('PEXPIRE', KEYS[i], 120000)
            end
            local base = 2 * nb + 3
            for j = nb + 1, nb + ns do
              local a = base + 2 * (j - nb - 1)
              redis.call('INCRBY', KEYS[j], ARGV[a])
              redis.call('EXPIRE', KEYS[j], ARGV[a + 1])
            end
            for j = nb + ns + 1, #KEYS do
              local n = tonumber(redis.call('GET', KEYS[j]) or '0')
              if n > 0 then redis.call('DECR', KEYS[j]) end
            end
            return 0
            """;

    /** KEYS[1] counter; ARGV max, ttlSeconds. Returns 1 when acquired. */
    private static final String ACQUIRE = """
            local n = tonumber(redis.call('GET', KEYS[1]) or '0')
            if n >= tonumber(ARGV[1]) then return 0 end
            redis.call('INCR', KEYS[1])
            redis.call('EXPIRE', KEYS[1], ARGV[2])
            return 1
            """;

    private static final String RELEASE = """
            local n = tonumber(redis.call('GET', KEYS[1]) or '0')
            if n > 0 then redis.call('DECR', KEYS[1]) end
            return 0
            """;

    private static final String ADD = """
            local v = redis.call('INCRBY', KEYS[1], ARGV[1])
            redis.call('EXPIRE', KEYS[1], ARGV[2])
            return v
            """;

    /** Establishing a connection (TCP and handshake) may take this long, even when commands may not. */
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

    /** A concurrency counter outlives a crashed replica's slots by at most this long. */
    private static final long SLOT_TTL_SECONDS = 600;

    private final RedisClient client;
    private final String prefix;
    private final ReentrantLock connecting = new ReentrantLock();
    private final ConcurrentHashMap<String, String> shas = new ConcurrentHashMap<>();
    private volatile StatefulRedisConnection<String, String> connection;

    /**
     * @param url       {@code redis://host:port[/db]}
     * @param prefix    prepended to every key (replicas sharing limits use the same prefix)
     * @param timeout   per-command timeout; past it the call counts as Redis being unreachable
     */
    public RedisQuotaBackend(String url, String prefix, Duration timeout) {
        RedisURI uri = RedisURI.create(url);
        uri.setTimeout(CONNECT_TIMEOUT); // the connection handshake; commands use `timeout`
        this.client = RedisClient.create(uri);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .socketOptions(SocketOptions.builder().connectTimeout(CONNECT_TIMEOUT).build())
                .timeoutOptions(TimeoutOptions.enabled(timeout))
                .build());
        this.prefix = prefix;
        try {
            commands(); // connect now, so the first request does not pay for it; if down, the first use retries
        } catch (RedisException e) {
            System.getLogger(RedisQuotaBackend.class.getName()).log(System.Logger.Level.WARNING,
                    "Redis at " + uri.getHost() + ":" + uri.getPort() + " is unreachable at start: " + e.getMessage());
        }
    }

    private RedisCommands<String, String> commands() {
        StatefulRedisConnection<String, String> c = connection;
        if (c == null) {
            connecting.lock();
            try {
                c = connection;
                if (c == null) {
                    c = client.connect();
                    connection = c;
                }
            } finally {
                connecting.unlock();
            }
        }
        return c.sync();
    }

    private <T> T eval(String script, ScriptOutputType type, String key, String... args) {
        return evalKeys(script, type, new String[] {prefix + key}, args);
    }

    private <T> T evalKeys(String script, ScriptOutputType type, String[] keys, String... args) {
        try {
            RedisCommands<String, String> redis = commands();
            String sha = shas.computeIfAbsent(script, redis::scriptLoad);
            try {
                return redis.evalsha(sha, type, keys, args);
            } catch (RedisNoScriptException e) {
                shas.put(script, redis.scriptLoad(script));
                return redis.evalsha(shas.get(script), type, keys, args);
            }
        } catch (RedisException e) {
            throw new QuotaUnavailable("redis: " + e.getMessage(), e);
        }
    }

    @Override
    public Batch takeAll(List<Bucket> buckets, List<Counter> counters) {
        String[] keys = new String[buckets.size() + counters.size()];
        String[] args = new String[2 + 2 * buckets.size() + counters.size()];
        args[0] = Integer.toString(buckets.size());
        int a = 1;
        for (int i = 0; i < buckets.size(); i++) {
            keys[i] = prefix + buckets.get(i).key();
            args[a++] = Long.toString(buckets.get(i).capacity());
            args[a++] = Long.toString(buckets.get(i).cost());
        }
        for (int j = 0; j < counters.size(); j++) {
            keys[buckets.size() + j] = prefix + counters.get(j).key();
            args[a++] = Integer.toString(counters.get(j).max());
        }
        args[a] = Long.toString(SLOT_TTL_SECONDS);
        List<Long> r = evalKeys(TAKE_ALL, ScriptOutputType.MULTI, keys, args);
        return r.get(0) == 1 ? Batch.GRANTED : new Batch(false, r.get(1).intValue(), Math.max(0, r.get(2)));
    }

    @Override
    public void settleAll(List<Bucket> debts, List<Sum> sums, List<String> releases) {
        if (debts.isEmpty() && sums.isEmpty() && releases.isEmpty()) {
            return;
        }
        String[] keys = new String[debts.size() + sums.size() + releases.size()];
        String[] args = new String[2 + 2 * debts.size() + 2 * sums.size()];
        args[0] = Integer.toString(debts.size());
        args[1] = Integer.toString(sums.size());
        int a = 2;
        for (int i = 0; i < debts.size(); i++) {
            keys[i] = prefix + debts.get(i).key();
            args[a++] = Long.toString(debts.get(i).capacity());
            args[a++] = Long.toString(debts.get(i).cost());
        }
        for (int j = 0; j < sums.size(); j++) {
            keys[debts.size() + j] = prefix + sums.get(j).key();
            args[a++] = Long.toString(sums.get(j).delta());
            args[a++] = Long.toString(sums.get(j).ttlSeconds());
        }
        for (int r = 0; r < releases.size(); r++) {
            keys[debts.size() + sums.size() + r] = prefix + releases.get(r);
        }
        evalKeys(SETTLE_ALL, ScriptOutputType.INTEGER, keys, args);
    }

    @Override
    public long[] getAll(List<String> keys) {
        try {
            List<io.lettuce.core.KeyValue<String, String>> values = commands().mget(
                    keys.stream().map(k -> prefix + k).toArray(String[]::new));
            long[] out = new long[keys.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = values.get(i).hasValue() ? Long.parseLong(values.get(i).getValue()) : 0;
            }
            return out;
        } catch (RedisException e) {
            throw new QuotaUnavailable("redis: " + e.getMessage(), e);
        }
    }

    @Override
    public Take tryTake(String key, long capacity, long cost) {
        List<Long> r = eval(TAKE, ScriptOutputType.MULTI, key, Long.toString(capacity), Long.toString(cost), "0");
        return r.get(0) == 1 ? Take.GRANTED : new Take(false, Math.max(0, r.get(1)));
    }

    @Override
    public void forceTake(String key, long capacity, long cost) {
        eval(TAKE, ScriptOutputType.MULTI, key, Long.toString(capacity), Long.toString(cost), "1");
    }

    @Override
    public boolean tryAcquire(String key, int max) {
        Long r = eval(ACQUIRE, ScriptOutputType.INTEGER, key, Integer.toString(max), Long.toString(SLOT_TTL_SECONDS));
        return r == 1;
    }

    @Override
    public void release(String key) {
        eval(RELEASE, ScriptOutputType.INTEGER, key);
    }

    @Override
    public long add(String key, long delta, long ttlSeconds) {
        Long r = eval(ADD, ScriptOutputType.INTEGER, key, Long.toString(delta), Long.toString(ttlSeconds));
        return r;
    }

    @Override
    public long get(String key) {
        try {
            String v = commands().get(prefix + key);
            return v == null ? 0 : Long.parseLong(v);
        } catch (RedisException e) {
            throw new QuotaUnavailable("redis: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        StatefulRedisConnection<String, String> c = connection;
        if (c != null) {
            c.close();
        }
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
}
