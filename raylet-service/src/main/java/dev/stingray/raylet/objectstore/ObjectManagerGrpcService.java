package dev.stingray.raylet.objectstore;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import dev.stingray.common.rpc.GrpcReplies;
import dev.stingray.proto.CreateObjectReply;
import dev.stingray.proto.CreateObjectRequest;
import dev.stingray.proto.FreeObjectsReply;
import dev.stingray.proto.FreeObjectsRequest;
import dev.stingray.proto.GetObjectLocationReply;
import dev.stingray.proto.GetObjectLocationRequest;
import dev.stingray.proto.GetObjectStoreStatsReply;
import dev.stingray.proto.GetObjectStoreStatsRequest;
import dev.stingray.proto.ObjectChunk;
import dev.stingray.proto.ObjectManagerServiceGrpc;
import dev.stingray.proto.PullRequest;
import dev.stingray.proto.ReleaseObjectReply;
import dev.stingray.proto.ReleaseObjectRequest;
import dev.stingray.proto.SealObjectReply;
import dev.stingray.proto.SealObjectRequest;
import dev.stingray.proto.SharedMemoryRegion;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * The raylet's {@code ObjectManagerService}: local clients create, seal, read (in shared memory) and
 * free objects of this node's {@link ObjectStore}; other raylets pull objects from it in 5 MiB chunks.
 */
public final class ObjectManagerGrpcService extends ObjectManagerServiceGrpc.ObjectManagerServiceImplBase {

    private final ObjectManager manager;
    private final ObjectStore store;

    public ObjectManagerGrpcService(ObjectManager manager) {
        this.manager = manager;
        this.store = manager.store();
    }

    /** Reserves a region for a new primary copy; RESOURCE_EXHAUSTED when nothing can be evicted or spilled. */
    @Override
    public void createObject(CreateObjectRequest request, StreamObserver<CreateObjectReply> observer) {
        try {
            Optional<ObjectStore.Region> region = store.create(request.getObjectId(), request.getDataSize(), request.getMetadata(), true);
            CreateObjectReply.Builder reply = CreateObjectReply.newBuilder();
            region.ifPresentOrElse(r -> reply.setRegion(toProto(r)), () -> reply.setAlreadySealed(true));
            observer.onNext(reply.build());
            observer.onCompleted();
        } catch (ObjectStoreFullException e) {
            observer.onError(Status.RESOURCE_EXHAUSTED.withDescription(e.getMessage()).asRuntimeException());
        } catch (RuntimeException e) {
            observer.onError(GrpcReplies.toStatus(e));
        }
    }

    /** Makes a created object immutable and visible to readers. */
    @Override
    public void sealObject(SealObjectRequest request, StreamObserver<SealObjectReply> observer) {
        GrpcReplies.reply(observer, () -> {
            store.seal(request.getObjectId());
            return SealObjectReply.getDefaultInstance();
        });
    }

    /** The local region of an object (restored or pulled first if needed), held for the caller until ReleaseObject. */
    @Override
    public void getObjectLocation(GetObjectLocationRequest request, StreamObserver<GetObjectLocationReply> observer) {
        manager.getForRead(request.getObjectId(), request.hasPullFrom() ? request.getPullFrom() : null).whenComplete((region, error) -> {
            if (error != null) {
                Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null ? error.getCause() : error;
                observer.onError(cause instanceof ObjectStoreFullException
                        ? Status.RESOURCE_EXHAUSTED.withDescription(cause.getMessage()).asRuntimeException()
                        : GrpcReplies.toStatus(cause));
                return;
            }
            observer.onNext(GetObjectLocationReply.newBuilder().setRegion(toProto(region)).build());
            observer.onCompleted();
        });
    }

    /** Ends a read started by GetObjectLocation. */
    @Override
    public void releaseObject(ReleaseObjectRequest request, StreamObserver<ReleaseObjectReply> observer) {
        GrpcReplies.reply(observer, () -> {
            store.release(request.getObjectId());
            return ReleaseObjectReply.getDefaultInstance();
        });
    }

    /** Deletes objects (memory and spill files), and unless local_only their pulled copies on other nodes. */
    @Override
    public void freeObjects(FreeObjectsRequest request, StreamObserver<FreeObjectsReply> observer) {
        GrpcReplies.reply(observer, () -> FreeObjectsReply.newBuilder()
                .setNumFreed(manager.free(request.getObjectIdsList(), request.getLocalOnly())).build());
    }

    /** Streams an object to another raylet in 5 MiB chunks, from memory or from its spill file. */
    @Override
    public void pull(PullRequest request, StreamObserver<ObjectChunk> observer) {
        ByteString id = request.getObjectId();
        Optional<ObjectStore.TransferSource> source = store.openForTransfer(id, request.getRequesterAddress());
        if (source.isEmpty()) {
            observer.onError(Status.NOT_FOUND.withDescription("Object " + ObjectStore.hex(id) + " is not in this node's object store")
                    .asRuntimeException());
            return;
        }
        ObjectStore.TransferSource s = source.get();
        ServerCallStreamObserver<ObjectChunk> call = (ServerCallStreamObserver<ObjectChunk>) observer;
        try (FileChannel file = s.memory() == null ? FileChannel.open(s.spillFile(), StandardOpenOption.READ) : null) {
            long offset = 0;
            do {
                int n = (int) Math.min(ObjectManager.CHUNK_SIZE, s.size() - offset);
                ByteBuffer chunk;
                if (file != null) {
                    chunk = ByteBuffer.allocate(n);
                    while (chunk.hasRemaining() && file.read(chunk, offset + chunk.position()) >= 0) {
                        // Read until the chunk is full.
                    }
                    chunk.flip();
                } else {
                    chunk = s.memory().slice((int) offset, n);
                }
                ObjectChunk.Builder msg = ObjectChunk.newBuilder().setOffset(offset).setTotalSize(s.size())
                        .setData(file != null ? UnsafeByteOperations.unsafeWrap(chunk) : ByteString.copyFrom(chunk));
                if (offset == 0) {
                    msg.setMetadata(s.metadata());
                }
                // Flow control: hold the next chunk until the transport drained the previous ones.
                while (!call.isReady() && !call.isCancelled()) {
                    java.util.concurrent.locks.LockSupport.parkNanos(100_000);
                }
                if (call.isCancelled()) {
                    return;
                }
                observer.onNext(msg.build());
                offset += n;
            } while (offset < s.size());
            observer.onCompleted();
        } catch (IOException | RuntimeException e) {
            observer.onError(Status.UNAVAILABLE.withDescription("Transfer of object " + ObjectStore.hex(id) + " failed: " + e.getMessage())
                    .asRuntimeException());
        } finally {
            store.release(id);
        }
    }

    /** Capacity, usage and spilling counters of this node's store. */
    @Override
    public void getObjectStoreStats(GetObjectStoreStatsRequest request, StreamObserver<GetObjectStoreStatsReply> observer) {
        GrpcReplies.reply(observer, () -> {
            ObjectStore.Stats s = store.stats();
            return GetObjectStoreStatsReply.newBuilder().setCapacity(s.capacity()).setUsedBytes(s.usedBytes())
                    .setNumObjects(s.numObjects()).setNumSpilled(s.numSpilled()).setSpilledBytesTotal(s.spilledBytesTotal())
                    .setRestoredBytesTotal(s.restoredBytesTotal()).setNumEvicted(s.numEvicted())
                    .setArenaDir(store.arenaDir().toString()).setSpillDir(store.spillDir().toString()).build();
        });
    }

    private static SharedMemoryRegion toProto(ObjectStore.Region r) {
        return SharedMemoryRegion.newBuilder().setPath(r.path().toString()).setOffset(r.offset()).setSize(r.size()).build();
    }
}
