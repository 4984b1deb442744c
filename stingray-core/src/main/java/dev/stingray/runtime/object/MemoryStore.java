package dev.stingray.runtime.object;

import com.google.protobuf.ByteString;
import dev.stingray.proto.RayObject;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The in-process store of a core worker (Ray: {@code CoreWorkerMemoryStore}): the values this worker
 * owns (puts and returns of tasks it submitted) and copies it fetched from other owners. An entry is a
 * future completed when the value exists, so readers and {@code wait} block on it without polling.
 *
 * <p>Thread-safe.
 */
public final class MemoryStore {

    private final Map<ByteString, CompletableFuture<RayObject>> objects = new ConcurrentHashMap<>();
    /** Signalled whenever an object becomes available, so {@code Ray.wait} re-checks without polling. */
    private final Object arrivals = new Object();

    /** The entry for an object, created pending if unknown. */
    public CompletableFuture<RayObject> entry(ByteString id) {
        return objects.computeIfAbsent(id, k -> new CompletableFuture<>());
    }

    public void put(ByteString id, RayObject value) {
        entry(id).complete(value);
        synchronized (arrivals) {
            arrivals.notifyAll();
        }
    }

    /** Blocks until some object becomes available or the timeout passes. */
    public void awaitArrival(long timeoutMs) throws InterruptedException {
        synchronized (arrivals) {
            arrivals.wait(Math.max(1, timeoutMs));
        }
    }

    public boolean contains(ByteString id) {
        CompletableFuture<RayObject> f = objects.get(id);
        return f != null && f.isDone();
    }

    public boolean knows(ByteString id) {
        return objects.containsKey(id);
    }

    /** Drops an object (Ray.free / no more references); pending readers fail. */
    public void free(ByteString id) {
        CompletableFuture<RayObject> f = objects.remove(id);
        if (f != null && !f.isDone()) {
            f.completeExceptionally(new IllegalStateException("The object was freed before it was created"));
        }
    }

    public int size() {
        return objects.size();
    }
}
