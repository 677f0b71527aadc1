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
            redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(ts))
            redis.call('PEXPIRE', KEYS[1], 120000)
            return {granted, wait}
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
        try {
            RedisCommands<String, String> redis = commands();
            String sha = shas.computeIfAbsent(script, redis::scriptLoad);
            try {
                return redis.evalsha(sha, type, new String[] {prefix + key}, args);
            } catch (RedisNoScriptException e) {
                shas.put(script, redis.scriptLoad(script));
                return redis.evalsha(shas.get(script), type, new String[] {prefix + key}, args);
            }
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
