package dev.stingray.gcs.store;

import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The default store (Ray: {@code in_memory_store_client.cc}): everything is lost when the GCS exits.
 * Keys are kept sorted, so prefix scans are range scans.
 */
public final class InMemoryStoreClient implements StoreClient {

    private final Map<String, ConcurrentNavigableMap<ByteString, ByteString>> tables = new ConcurrentHashMap<>();
    private final AtomicInteger jobCounter = new AtomicInteger();

    private ConcurrentNavigableMap<ByteString, ByteString> table(String name) {
        return tables.computeIfAbsent(name, n -> new ConcurrentSkipListMap<>(ByteString.unsignedLexicographicalComparator()));
    }

    @Override
    public boolean put(String table, ByteString key, ByteString value, boolean overwrite) {
        if (overwrite) {
            return table(table).put(key, value) == null;
        }
        return table(table).putIfAbsent(key, value) == null;
    }

    @Override
    public Optional<ByteString> get(String table, ByteString key) {
        return Optional.ofNullable(table(table).get(key));
    }

    @Override
    public Map<ByteString, ByteString> multiGet(String table, Collection<ByteString> keys) {
        Map<ByteString, ByteString> result = new LinkedHashMap<>();
        ConcurrentNavigableMap<ByteString, ByteString> t = table(table);
        for (ByteString key : keys) {
            ByteString v = t.get(key);
            if (v != null) {
                result.put(key, v);
            }
        }
        return result;
    }

    @Override
    public Map<ByteString, ByteString> getAll(String table) {
        return new LinkedHashMap<>(table(table));
    }

    @Override
    public boolean delete(String table, ByteString key) {
        return table(table).remove(key) != null;
    }

    @Override
    public long batchDelete(String table, Collection<ByteString> keys) {
        long n = 0;
        for (ByteString key : keys) {
            if (delete(table, key)) {
                n++;
            }
        }
        return n;
    }

    @Override
    public List<ByteString> keys(String table, ByteString prefix) {
        List<ByteString> result = new ArrayList<>();
        for (ByteString key : table(table).tailMap(prefix, true).keySet()) {
            if (!key.startsWith(prefix)) {
                break;
            }
            result.add(key);
        }
        return result;
    }

    @Override
    public boolean exists(String table, ByteString key) {
        return table(table).containsKey(key);
    }

    @Override
    public int nextJobId() {
        return jobCounter.incrementAndGet();
    }

    @Override
    public boolean isHealthy() {
        return true;
    }
}
