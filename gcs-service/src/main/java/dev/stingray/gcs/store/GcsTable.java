package dev.stingray.gcs.store;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A typed table on top of a {@link StoreClient} (Ray: {@code gcs_table_storage.h}): binary id →
 * serialized proto.
 */
public final class GcsTable<M extends Message> {

    private final StoreClient store;
    private final String name;
    private final Parser<M> parser;

    public GcsTable(StoreClient store, String name, Parser<M> parser) {
        this.store = store;
        this.name = name;
        this.parser = parser;
    }

    public String name() {
        return name;
    }

    public void put(ByteString id, M value) {
        store.put(name, id, value.toByteString(), true);
    }

    public Optional<M> get(ByteString id) {
        return store.get(name, id).map(this::parse);
    }

    public Map<ByteString, M> getAll() {
        Map<ByteString, M> result = new LinkedHashMap<>();
        store.getAll(name).forEach((k, v) -> result.put(k, parse(v)));
        return result;
    }

    public void delete(ByteString id) {
        store.delete(name, id);
    }

    private M parse(ByteString bytes) {
        try {
            return parser.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("Corrupt entry in GCS table " + name + ": " + e.getMessage(), e);
        }
    }
}
