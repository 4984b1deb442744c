package dev.stingray.gcs.store;

import com.google.protobuf.ByteString;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where the GCS keeps its tables (Ray: {@code src/ray/gcs/store_client/store_client.h}). A table is a
 * map from binary key to binary value; Redis keeps each table in one hash named
 * {@code RAY<external_storage_namespace>@<TABLE>}.
 *
 * <p>Implementations are thread-safe and synchronous: a call returns once the write is durable in the
 * backend (so the GCS can persist, then update its cache, then publish, then reply).
 */
public interface StoreClient extends AutoCloseable {

    /**
     * Writes {@code value} under {@code key}. With {@code overwrite == false} an existing value is kept.
     *
     * @return whether the key was new
     */
    boolean put(String table, ByteString key, ByteString value, boolean overwrite);

    Optional<ByteString> get(String table, ByteString key);

    /** Values of the keys that exist; missing keys are left out. */
    Map<ByteString, ByteString> multiGet(String table, Collection<ByteString> keys);

    Map<ByteString, ByteString> getAll(String table);

    /** @return whether the key existed */
    boolean delete(String table, ByteString key);

    /** @return how many of the keys existed */
    long batchDelete(String table, Collection<ByteString> keys);

    /** Keys starting with {@code prefix} (all keys for an empty prefix). */
    List<ByteString> keys(String table, ByteString prefix);

    boolean exists(String table, ByteString key);

    /** Ray's {@code GetNextJobID}: a counter that survives GCS restarts when the store does. */
    int nextJobId();

    /** Whether the backend answers right now (readiness of the GCS). */
    boolean isHealthy();

    @Override
    default void close() {
    }
}
