package dev.stingray.runtime.client;

import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.List;

/** How Ray Client moves object bytes (Ray: {@code OBJECT_TRANSFER_CHUNK_SIZE}): in 5 MiB chunks, both ways. */
public final class ClientChunks {

    /** Ray's object chunk size on the client protocol. */
    public static final int CHUNK_BYTES = 5 * 1024 * 1024;

    private ClientChunks() {
    }

    /** The bytes in chunks of at most {@link #CHUNK_BYTES}, sharing the input's bytes; at least one (possibly empty) chunk. */
    public static List<ByteString> split(ByteString bytes) {
        int total = Math.max(1, (bytes.size() + CHUNK_BYTES - 1) / CHUNK_BYTES);
        List<ByteString> chunks = new ArrayList<>(total);
        for (int i = 0; i < total; i++) {
            chunks.add(bytes.substring(i * CHUNK_BYTES, Math.min(bytes.size(), (i + 1) * CHUNK_BYTES)));
        }
        return chunks;
    }
}
