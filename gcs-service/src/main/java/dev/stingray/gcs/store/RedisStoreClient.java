package dev.stingray.gcs.store;

import com.google.protobuf.ByteString;
import dev.stingray.common.error.ErrorCode;
import dev.stingray.common.error.StingrayException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.springframework.dao.DataAccessException;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.Cursor;
import org.springframework.data.redis.core.HashOperations;
import org.springframework.data.redis.core.RedisTemplate;
import org.springframework.data.redis.core.ScanOptions;
import org.springframework.data.redis.serializer.RedisSerializer;

/**
 * The fault-tolerant store (Ray: {@code redis_store_client.cc}): one Redis hash per table named
 * {@code RAY<external_storage_namespace>@<TABLE>}, fields are the binary keys, values the serialized
 * protos. Writes use HSET / HSETNX, prefix scans HSCAN with an escaped MATCH pattern, the job counter
 * {@code INCRBY RAY<ns>@JobCounter}. Built on spring-data-redis over Lettuce. A lost Redis surfaces as
 * UNAVAILABLE naming its address.
 */
public final class RedisStoreClient implements StoreClient {

    private static final int SCAN_COUNT = 1000;

    private final RedisTemplate<byte[], byte[]> redis;
    private final HashOperations<byte[], byte[], byte[]> hashes;
    private final String namespace;
    private final String address;
    private final LettuceConnectionFactory connectionFactory;

    /** Takes ownership of the started connection factory: {@link #close()} destroys it. */
    public RedisStoreClient(LettuceConnectionFactory connectionFactory, String externalStorageNamespace, String address) {
        this.connectionFactory = connectionFactory;
        RedisTemplate<byte[], byte[]> template = new RedisTemplate<>();
        template.setConnectionFactory(connectionFactory);
        template.setKeySerializer(RedisSerializer.byteArray());
        template.setValueSerializer(RedisSerializer.byteArray());
        template.setHashKeySerializer(RedisSerializer.byteArray());
        template.setHashValueSerializer(RedisSerializer.byteArray());
        template.afterPropertiesSet();
        this.redis = template;
        this.hashes = template.opsForHash();
        this.namespace = externalStorageNamespace;
        this.address = address;
    }

    /** Ray's {@code GenRedisKey}: {@code RAY<namespace>@<table>}. */
    public static String redisKey(String externalStorageNamespace, String table) {
        return "RAY" + externalStorageNamespace + "@" + table;
    }

    private byte[] hashKey(String table) {
        return redisKey(namespace, table).getBytes(StandardCharsets.UTF_8);
    }

    private <T> T call(Supplier<T> operation) {
        try {
            return operation.get();
        } catch (DataAccessException e) {
            throw new StingrayException(ErrorCode.UNAVAILABLE,
                    "Redis at " + address + " is unreachable: " + e.getMostSpecificCause().getMessage(), e);
        }
    }

    @Override
    public boolean put(String table, ByteString key, ByteString value, boolean overwrite) {
        return call(() -> {
            if (!overwrite) {
                return Boolean.TRUE.equals(hashes.putIfAbsent(hashKey(table), key.toByteArray(), value.toByteArray()));
            }
            // HSET answers whether the field is new, which HashOperations#put hides; ask Redis directly.
            Boolean added = redis.execute(connection -> connection.hashCommands()
                    .hSet(hashKey(table), key.toByteArray(), value.toByteArray()), true);
            return Boolean.TRUE.equals(added);
        });
    }

    @Override
    public Optional<ByteString> get(String table, ByteString key) {
        return call(() -> {
            byte[] v = hashes.get(hashKey(table), key.toByteArray());
            return v == null ? Optional.<ByteString>empty() : Optional.of(ByteString.copyFrom(v));
        });
    }

    @Override
    public Map<ByteString, ByteString> multiGet(String table, Collection<ByteString> keys) {
        Map<ByteString, ByteString> result = new LinkedHashMap<>();
        if (keys.isEmpty()) {
            return result;
        }
        List<byte[]> fields = keys.stream().map(ByteString::toByteArray).toList();
        List<byte[]> values = call(() -> hashes.multiGet(hashKey(table), fields));
        int i = 0;
        for (ByteString key : keys) {
            byte[] v = values.get(i++);
            if (v != null) {
                result.put(key, ByteString.copyFrom(v));
            }
        }
        return result;
    }

    @Override
    public Map<ByteString, ByteString> getAll(String table) {
        return scan(table, ByteString.EMPTY);
    }

    @Override
    public boolean delete(String table, ByteString key) {
        return call(() -> hashes.delete(hashKey(table), (Object) key.toByteArray()) > 0);
    }

    @Override
    public long batchDelete(String table, Collection<ByteString> keys) {
        if (keys.isEmpty()) {
            return 0;
        }
        return call(() -> hashes.delete(hashKey(table), keys.stream().map(ByteString::toByteArray).toArray()));
    }

    @Override
    public List<ByteString> keys(String table, ByteString prefix) {
        return new ArrayList<>(scan(table, prefix).keySet());
    }

    private Map<ByteString, ByteString> scan(String table, ByteString prefix) {
        return call(() -> {
            Map<ByteString, ByteString> result = new LinkedHashMap<>();
            ScanOptions options = ScanOptions.scanOptions().match(globPrefix(prefix)).count(SCAN_COUNT).build();
            try (Cursor<Map.Entry<byte[], byte[]>> cursor = hashes.scan(hashKey(table), options)) {
                while (cursor.hasNext()) {
                    Map.Entry<byte[], byte[]> e = cursor.next();
                    ByteString key = ByteString.copyFrom(e.getKey());
                    // MATCH is a filter hint over a charset conversion; check the prefix exactly.
                    if (key.startsWith(prefix)) {
                        result.put(key, ByteString.copyFrom(e.getValue()));
                    }
                }
            }
            return result;
        });
    }

    /** A MATCH pattern for keys starting with {@code prefix}, glob characters escaped. */
    static String globPrefix(ByteString prefix) {
        StringBuilder sb = new StringBuilder();
        for (byte b : prefix.toByteArray()) {
            if (b < 0) {
                // Not ASCII: the pattern would be re-encoded, so scan everything and filter exactly.
                return "*";
            }
            char c = (char) b;
            if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') {
                sb.append('\\');
            }
            sb.append(c);
        }
        return sb.append('*').toString();
    }

    @Override
    public boolean exists(String table, ByteString key) {
        return call(() -> Boolean.TRUE.equals(hashes.hasKey(hashKey(table), key.toByteArray())));
    }

    @Override
    public int nextJobId() {
        return call(() -> {
            Long v = redis.opsForValue().increment(hashKey("JobCounter"));
            return v == null ? 0 : v.intValue();
        });
    }

    @Override
    public boolean isHealthy() {
        try {
            String pong = redis.execute(connection -> connection.ping(), true);
            return "PONG".equalsIgnoreCase(pong);
        } catch (RuntimeException e) {
            return false;
        }
    }

    @Override
    public void close() {
        connectionFactory.destroy();
    }
}
