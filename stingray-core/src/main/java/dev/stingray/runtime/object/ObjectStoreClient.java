package dev.stingray.runtime.object;

import com.google.protobuf.ByteString;
import dev.stingray.common.id.NodeId;
import dev.stingray.proto.Address;
import dev.stingray.proto.CreateObjectReply;
import dev.stingray.proto.CreateObjectRequest;
import dev.stingray.proto.FreeObjectsRequest;
import dev.stingray.proto.GetObjectLocationReply;
import dev.stingray.proto.GetObjectLocationRequest;
import dev.stingray.proto.ObjectLocation;
import dev.stingray.proto.ObjectManagerServiceGrpc;
import dev.stingray.proto.ReleaseObjectRequest;
import dev.stingray.proto.SealObjectRequest;
import dev.stingray.proto.SharedMemoryRegion;
import dev.stingray.common.rpc.Channels;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.ray.api.exception.RayException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A core worker's client of its node's object store (Ray: {@code PlasmaClient} +
 * {@code ObjectManager} pulls). Objects are written and read in place in the raylet's shared-memory
 * files, each mapped once per process and reused (read-write for writers, read-only for readers), so
 * large bytes never travel through the raylet on the same node; an object stored on another node is
 * pulled into this node's store by the local raylet first.
 *
 * <p>Thread-safe.
 */
public final class ObjectStoreClient {

    private final Channels channels;
    private final String rayletAddress;
    private final NodeId nodeId;
    private final Map<String, MappedByteBuffer> readMappings = new ConcurrentHashMap<>();
    private final Map<String, MappedByteBuffer> writeMappings = new ConcurrentHashMap<>();

    /** @param rayletAddress host:port of this node's raylet */
    public ObjectStoreClient(Channels channels, String rayletAddress, NodeId nodeId) {
        this.channels = channels;
        this.rayletAddress = rayletAddress;
        this.nodeId = nodeId;
    }

    /**
     * Creates a primary copy of {@code size} bytes in the local store, lets {@code writer} fill it in
     * shared memory, seals it and returns its location. A put of an id already sealed (a retried task)
     * keeps the first copy.
     */
    public ObjectLocation put(ByteString id, ByteString metadata, long size, Address owner, Consumer<ByteBuffer> writer) {
        var stub = ObjectManagerServiceGrpc.newBlockingStub(channels.to(rayletAddress)).withDeadlineAfter(5, TimeUnit.MINUTES);
        CreateObjectReply created;
        try {
            created = stub.createObject(CreateObjectRequest.newBuilder().setObjectId(id).setDataSize(size).setMetadata(metadata)
                    .setOwnerAddress(owner).build());
        } catch (StatusRuntimeException e) {
            throw new RayException("Cannot store object " + hex(id) + " of " + size + " bytes in the object store of node " + nodeId.hex()
                    + ": " + e.getStatus().getDescription(), e);
        }
        if (!created.getAlreadySealed()) {
            writer.accept(view(created.getRegion(), true));
            stub.sealObject(SealObjectRequest.newBuilder().setObjectId(id).build());
        }
        return ObjectLocation.newBuilder().setNodeId(nodeId.bytes()).setRayletAddress(rayletAddress).setDataSize(size).build();
    }

    /** Puts bytes held in a ByteString (a serialized value). */
    public ObjectLocation put(ByteString id, ByteString metadata, ByteString data, Address owner) {
        return put(id, metadata, data.size(), owner, data::copyTo);
    }

    /**
     * Reads an object in place: from this node's store, pulling it from {@code location}'s node first
     * if it is elsewhere. {@code reader} must copy what it needs; the region is released afterwards.
     */
    public <T> T read(ByteString id, ObjectLocation location, Function<ByteBuffer, T> reader) {
        GetObjectLocationReply reply;
        try {
            reply = ObjectManagerServiceGrpc.newBlockingStub(channels.to(rayletAddress)).withDeadlineAfter(10, TimeUnit.MINUTES)
                    .getObjectLocation(GetObjectLocationRequest.newBuilder().setObjectId(id).setPullFrom(location).build());
        } catch (StatusRuntimeException e) {
            String where = location.getNodeId().equals(nodeId.bytes()) ? "this node" : "node " + NodeId.fromBytes(location.getNodeId()).hex()
                    + " (raylet " + location.getRayletAddress() + ")";
            if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
                throw new RayException("Object " + hex(id) + " is lost: it is no longer in the object store of " + where
                        + "; it may have been freed (" + e.getStatus().getDescription() + ")", e);
            }
            throw new RayException("Cannot read object " + hex(id) + " stored on " + where + ": " + e.getStatus().getDescription(), e);
        }
        try {
            return reader.apply(view(reply.getRegion(), false));
        } finally {
            ObjectManagerServiceGrpc.newStub(channels.to(rayletAddress)).releaseObject(ReleaseObjectRequest.newBuilder().setObjectId(id).build(),
                    new io.grpc.stub.StreamObserver<>() {
                        @Override
                        public void onNext(dev.stingray.proto.ReleaseObjectReply value) {
                        }

                        @Override
                        public void onError(Throwable t) {
                            // The raylet is gone: nothing is held any more.
                        }

                        @Override
                        public void onCompleted() {
                        }
                    });
        }
    }

    /** Reads an object's bytes into a new array. */
    public byte[] readBytes(ByteString id, ObjectLocation location) {
        return read(id, location, buffer -> {
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            return bytes;
        });
    }

    /** Frees objects in the store of the raylet at {@code rayletAddress} (and the copies pulled from it). */
    public void free(String rayletAddress, List<ByteString> ids) {
        try {
            ObjectManagerServiceGrpc.newBlockingStub(channels.to(rayletAddress)).withDeadlineAfter(10, TimeUnit.SECONDS)
                    .freeObjects(FreeObjectsRequest.newBuilder().addAllObjectIds(ids).build());
        } catch (StatusRuntimeException e) {
            // The node is gone, and its store with it.
        }
    }

    private ByteBuffer view(SharedMemoryRegion region, boolean writable) {
        Map<String, MappedByteBuffer> cache = writable ? writeMappings : readMappings;
        MappedByteBuffer map = cache.computeIfAbsent(region.getPath(), path -> {
            try (FileChannel ch = FileChannel.open(Path.of(path), writable
                    ? new StandardOpenOption[] {StandardOpenOption.READ, StandardOpenOption.WRITE} : new StandardOpenOption[] {StandardOpenOption.READ})) {
                return ch.map(writable ? FileChannel.MapMode.READ_WRITE : FileChannel.MapMode.READ_ONLY, 0, ch.size());
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot map the object store file " + path + " of the raylet at " + rayletAddress
                        + " (the raylet must run on this machine): " + e.getMessage(), e);
            }
        });
        return map.slice(Math.toIntExact(region.getOffset()), Math.toIntExact(region.getSize()));
    }

    private static String hex(ByteString id) {
        return HexFormat.of().formatHex(id.toByteArray());
    }
}
