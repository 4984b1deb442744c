package dev.stingray.common.id;

import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.util.HexFormat;

/**
 * A job's identity: 4 bytes holding the counter the GCS hands out ({@code GetNextJobID}), printed
 * as 8 hex characters, as Ray's {@code JobID} ({@code JobID::FromInt}, little-endian).
 */
public record JobId(ByteString bytes) {

    public static final int SIZE = 4;

    public JobId {
        if (bytes.size() != SIZE) {
            throw new IllegalArgumentException("A job id has " + SIZE + " bytes, got " + bytes.size());
        }
    }

    public static JobId fromInt(int value) {
        byte[] b = ByteBuffer.allocate(SIZE).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(value).array();
        return new JobId(ByteString.copyFrom(b));
    }

    public static JobId fromHex(String hex) {
        if (hex == null || hex.length() != 2 * SIZE) {
            throw new IllegalArgumentException("Invalid job id '" + hex + "': expected " + 2 * SIZE + " hex characters");
        }
        return new JobId(ByteString.copyFrom(HexFormat.of().parseHex(hex)));
    }

    public int toInt() {
        return ByteBuffer.wrap(bytes.toByteArray()).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt();
    }

    public String hex() {
        return HexFormat.of().formatHex(bytes.toByteArray());
    }

    @Override
    public String toString() {
        return hex();
    }
}
