package dev.stingray.common.id;

import com.google.protobuf.ByteString;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * A node's identity: 28 random bytes, printed as 56 hex characters, as Ray's {@code NodeID}
 * ({@code kUniqueIDSize = 28} in {@code src/ray/common/id.h}).
 */
public record NodeId(ByteString bytes) {

    public static final int SIZE = 28;
    private static final SecureRandom RANDOM = new SecureRandom();

    public NodeId {
        if (bytes.size() != SIZE) {
            throw new IllegalArgumentException(
                    "A node id has " + SIZE + " bytes (" + 2 * SIZE + " hex characters), got " + bytes.size() + " bytes");
        }
    }

    public static NodeId random() {
        byte[] b = new byte[SIZE];
        RANDOM.nextBytes(b);
        return new NodeId(ByteString.copyFrom(b));
    }

    /** Parses 56 hex characters; the message names the bad value. */
    public static NodeId fromHex(String hex) {
        if (hex == null || hex.length() != 2 * SIZE) {
            throw new IllegalArgumentException("Invalid node id '" + hex + "': expected " + 2 * SIZE + " hex characters");
        }
        try {
            return new NodeId(ByteString.copyFrom(HexFormat.of().parseHex(hex)));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Invalid node id '" + hex + "': not hexadecimal", e);
        }
    }

    public static NodeId fromBytes(ByteString bytes) {
        return new NodeId(bytes);
    }

    public String hex() {
        return HexFormat.of().formatHex(bytes.toByteArray());
    }

    @Override
    public String toString() {
        return hex();
    }
}
