package dev.stingray.gcs.kv;

import com.google.protobuf.ByteString;
import dev.stingray.common.error.StingrayException;
import dev.stingray.gcs.store.StoreClient;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The cluster's internal key-value store (Ray: {@code gcs_kv_manager.cc}, {@code store_client_kv.cc}).
 * A key {@code k} in namespace {@code ns} is stored in table {@code KV} as {@code @namespace_<ns>:k}
 * (the raw key when the namespace is empty); user keys may not start with {@code @namespace_}.
 *
 * <p>Thread-safe: every call is one store operation; the store is the only state.
 */
public final class GcsInternalKvManager {

    public static final String TABLE = "KV";
    static final String NAMESPACE_PREFIX = "@namespace_";
    static final String NAMESPACE_SEPARATOR = ":";

    private final StoreClient store;
    private final long maxValueBytes;

    public GcsInternalKvManager(StoreClient store, long maxValueBytes) {
        this.store = store;
        this.maxValueBytes = maxValueBytes;
    }

    /** Ray's {@code InternalKVGet}: NOT_FOUND when the key does not exist. */
    public ByteString handleGet(ByteString ns, ByteString key) {
        validateKey(key);
        return store.get(TABLE, makeKey(ns, key)).orElseThrow(() -> StingrayException.notFound(
                "Failed to find the key '" + key.toStringUtf8() + "' in namespace '" + ns.toStringUtf8() + "'"));
    }

    /** Ray's {@code InternalKVMultiGet}: only the keys that exist are returned. */
    public Map<ByteString, ByteString> handleMultiGet(ByteString ns, Collection<ByteString> keys) {
        List<ByteString> stored = new ArrayList<>(keys.size());
        for (ByteString key : keys) {
            validateKey(key);
            stored.add(makeKey(ns, key));
        }
        Map<ByteString, ByteString> result = new LinkedHashMap<>();
        store.multiGet(TABLE, stored).forEach((k, v) -> result.put(extractKey(k), v));
        return result;
    }

    /**
     * Ray's {@code InternalKVPut}. With {@code overwrite == false} an existing value is kept.
     *
     * @return whether the key was new ({@code added})
     */
    public boolean handlePut(ByteString ns, ByteString key, ByteString value, boolean overwrite) {
        validateKey(key);
        if (key.isEmpty()) {
            throw StingrayException.invalidArgument("The key must not be empty");
        }
        if (value.size() > maxValueBytes) {
            throw StingrayException.invalidArgument("The value for key '" + key.toStringUtf8() + "' has " + value.size()
                    + " bytes, more than the limit of " + maxValueBytes + " bytes (stingray.gcs.kv-max-value-size);"
                    + " store large data as objects instead");
        }
        return store.put(TABLE, makeKey(ns, key), value, overwrite);
    }

    /** Ray's {@code InternalKVDel}: returns how many keys were deleted. */
    public int handleDel(ByteString ns, ByteString key, boolean byPrefix) {
        validateKey(key);
        if (!byPrefix) {
            return store.delete(TABLE, makeKey(ns, key)) ? 1 : 0;
        }
        return (int) store.batchDelete(TABLE, store.keys(TABLE, makeKey(ns, key)));
    }

    public boolean handleExists(ByteString ns, ByteString key) {
        validateKey(key);
        return store.exists(TABLE, makeKey(ns, key));
    }

    /** Ray's {@code InternalKVKeys}: keys with the prefix, namespace stripped. */
    public List<ByteString> handleKeys(ByteString ns, ByteString prefix) {
        validateKey(prefix);
        return store.keys(TABLE, makeKey(ns, prefix)).stream().map(GcsInternalKvManager::extractKey).toList();
    }

    // Conveniences for the GCS's own entries (session name, cluster id, discovery).

    public java.util.Optional<String> getString(String ns, String key) {
        return store.get(TABLE, makeKey(ByteString.copyFromUtf8(ns), ByteString.copyFromUtf8(key))).map(ByteString::toStringUtf8);
    }

    public boolean putString(String ns, String key, String value, boolean overwrite) {
        return handlePut(ByteString.copyFromUtf8(ns), ByteString.copyFromUtf8(key), ByteString.copyFromUtf8(value), overwrite);
    }

    public int delString(String ns, String key, boolean byPrefix) {
        return handleDel(ByteString.copyFromUtf8(ns), ByteString.copyFromUtf8(key), byPrefix);
    }

    public List<String> keysString(String ns, String prefix) {
        return handleKeys(ByteString.copyFromUtf8(ns), ByteString.copyFromUtf8(prefix)).stream().map(ByteString::toStringUtf8).toList();
    }

    private static void validateKey(ByteString key) {
        if (key.startsWith(ByteString.copyFromUtf8(NAMESPACE_PREFIX))) {
            throw StingrayException.invalidArgument("Key '" + key.toStringUtf8() + "' starts with the reserved prefix '"
                    + NAMESPACE_PREFIX + "', which the GCS uses for namespaces; choose a key without it and pass the namespace separately");
        }
    }

    static ByteString makeKey(ByteString ns, ByteString key) {
        if (ns.isEmpty()) {
            return key;
        }
        return ByteString.copyFromUtf8(NAMESPACE_PREFIX).concat(ns).concat(ByteString.copyFromUtf8(NAMESPACE_SEPARATOR)).concat(key);
    }

    static ByteString extractKey(ByteString stored) {
        if (!stored.startsWith(ByteString.copyFromUtf8(NAMESPACE_PREFIX))) {
            return stored;
        }
        byte[] bytes = stored.toByteArray();
        for (int i = NAMESPACE_PREFIX.length(); i < bytes.length; i++) {
            if (bytes[i] == ':') {
                return stored.substring(i + 1);
            }
        }
        throw new IllegalStateException("Invalid key in KV table: " + stored.toStringUtf8());
    }
}
