package dev.stingray.raylet.objectstore;

import com.google.protobuf.ByteString;
import dev.stingray.common.error.ErrorCode;
import dev.stingray.common.error.StingrayException;
import dev.stingray.common.rpc.GrpcChannels;
import dev.stingray.proto.FreeObjectsRequest;
import dev.stingray.proto.ObjectChunk;
import dev.stingray.proto.ObjectLocation;
import dev.stingray.proto.ObjectManagerServiceGrpc;
import dev.stingray.proto.PullRequest;
import io.grpc.ManagedChannel;
import java.nio.ByteBuffer;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves objects between nodes (Ray: {@code ObjectManager} + {@code PullManager}): pulls a missing object
 * from the raylet that holds it in {@link #CHUNK_SIZE} chunks into a secondary copy of the local
 * {@link ObjectStore}, one transfer per object at a time however many readers wait; forwards frees to
 * the raylets that pulled an object from here.
 *
 * <p>Thread-safe; transfers run on the given executor.
 */
public final class ObjectManager implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ObjectManager.class);

    /** Ray's {@code object_manager_default_chunk_size}: 5 MiB. */
    public static final int CHUNK_SIZE = 5 * 1024 * 1024;

    private final ObjectStore store;
    private final Supplier<String> selfAddress;
    private final ExecutorService executor;
    private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
    private final Map<ByteString, CompletableFuture<Void>> pulls = new ConcurrentHashMap<>();

    /** @param selfAddress host:port of this raylet, known once its server has bound */
    public ObjectManager(ObjectStore store, Supplier<String> selfAddress) {
        this.store = store;
        this.selfAddress = selfAddress;
        java.util.concurrent.atomic.AtomicInteger threads = new java.util.concurrent.atomic.AtomicInteger();
        this.executor = java.util.concurrent.Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "object-transfer-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    public ObjectStore store() {
        return store;
    }

    /**
     * The local region of an object for reading, pulled from {@code from}'s raylet first if this node has
     * no copy; completes exceptionally with NOT_FOUND when no node has it.
     */
    public CompletableFuture<ObjectStore.Region> getForRead(ByteString id, ObjectLocation from) {
        Optional<ObjectStore.Region> local = store.getForRead(id);
        if (local.isPresent()) {
            return CompletableFuture.completedFuture(local.get());
        }
        if (from == null || from.getRayletAddress().isEmpty() || from.getRayletAddress().equals(selfAddress.get())) {
            return CompletableFuture.failedFuture(new StingrayException(ErrorCode.NOT_FOUND, "Object " + ObjectStore.hex(id)
                    + " is not in this node's object store; it was freed or its node was lost"));
        }
        CompletableFuture<Void> pull = pulls.computeIfAbsent(id, k -> CompletableFuture.runAsync(() -> pull(id, from.getRayletAddress()), executor)
                .whenComplete((v, e) -> pulls.remove(id)));
        return pull.thenApply(v -> store.getForRead(id).orElseThrow(() -> new StingrayException(ErrorCode.NOT_FOUND,
                "Object " + ObjectStore.hex(id) + " was freed right after it was pulled")));
    }

    private void pull(ByteString id, String source) {
        if (store.contains(id)) {
            return;
        }
        long start = System.nanoTime();
        Iterator<ObjectChunk> chunks = ObjectManagerServiceGrpc.newBlockingStub(channel(source)).withDeadlineAfter(10, TimeUnit.MINUTES)
                .pull(PullRequest.newBuilder().setObjectId(id).setRequesterAddress(selfAddress.get()).build());
        boolean created = false;
        try {
            ByteBuffer target = null;
            long received = 0;
            while (chunks.hasNext()) {
                ObjectChunk chunk = chunks.next();
                if (target == null) {
                    if (store.create(id, chunk.getTotalSize(), chunk.getMetadata(), false).isEmpty()) {
                        return;
                    }
                    created = true;
                    target = store.writableView(id);
                }
                chunk.getData().copyTo(target.slice(Math.toIntExact(chunk.getOffset()), chunk.getData().size()));
                received += chunk.getData().size();
            }
            if (target == null || received != target.capacity()) {
                throw new StingrayException(ErrorCode.UNAVAILABLE, "Transfer of object " + ObjectStore.hex(id) + " from " + source
                        + " ended after " + received + " bytes");
            }
            store.seal(id);
            created = false;
            log.debug("Pulled object {} ({} bytes) from {} in {} ms", ObjectStore.hex(id), received, source,
                    (System.nanoTime() - start) / 1_000_000);
        } catch (io.grpc.StatusRuntimeException e) {
            if (e.getStatus().getCode() == io.grpc.Status.Code.NOT_FOUND) {
                throw new StingrayException(ErrorCode.NOT_FOUND, "Object " + ObjectStore.hex(id) + " is not at " + source
                        + " any more: " + e.getStatus().getDescription());
            }
            throw new StingrayException(ErrorCode.UNAVAILABLE, "Cannot pull object " + ObjectStore.hex(id) + " from the raylet at "
                    + source + ": " + e.getStatus());
        } finally {
            if (created) {
                store.abort(id);
            }
        }
    }

    /** Frees objects here and, unless {@code localOnly}, on the raylets that pulled them (asynchronously). */
    public int free(List<ByteString> ids, boolean localOnly) {
        int before = store.stats().numObjects();
        var pullers = store.free(ids);
        int freed = before - store.stats().numObjects();
        if (!localOnly) {
            for (String puller : pullers) {
                if (puller.equals(selfAddress.get())) {
                    continue;
                }
                executor.execute(() -> {
                    try {
                        ObjectManagerServiceGrpc.newBlockingStub(channel(puller)).withDeadlineAfter(10, TimeUnit.SECONDS)
                                .freeObjects(FreeObjectsRequest.newBuilder().addAllObjectIds(ids).setLocalOnly(true).build());
                    } catch (RuntimeException e) {
                        log.debug("Could not forward the free of {} objects to {}: {}", ids.size(), puller, e.getMessage());
                    }
                });
            }
        }
        return freed;
    }

    private ManagedChannel channel(String address) {
        return channels.computeIfAbsent(address, GrpcChannels::forAddress);
    }

    @Override
    public void close() {
        executor.shutdownNow();
        channels.values().forEach(ManagedChannel::shutdownNow);
        channels.clear();
    }
}
