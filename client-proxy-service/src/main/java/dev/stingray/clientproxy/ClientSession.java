package dev.stingray.clientproxy;

import com.google.protobuf.ByteString;
import dev.stingray.common.gcs.GcsClient;
import dev.stingray.proto.Address;
import dev.stingray.proto.JavaFunctionDescriptor;
import dev.stingray.proto.ObjectReference;
import dev.stingray.proto.RayObject;
import dev.stingray.runtime.CoreWorker;
import dev.stingray.runtime.DriverCoreWorker;
import dev.stingray.runtime.object.ObjectRefImpl;
import dev.stingray.runtime.object.SerializedValue;
import io.ray.api.ObjectRef;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One Ray Client's session (Ray: the per-client {@code SpecificServer} of {@code proxier.py}, whose
 * driver is an in-process {@link CoreWorker} here): the client's job, registered in the GCS job table
 * like an in-cluster driver's, and the objects the client holds, by id. The session holds its objects
 * until the client releases them or the session ends; ending it closes the driver (dropping the
 * objects it owns) and marks the job finished.
 *
 * <p>Values pass through as serialized {@link RayObject}s: the server never loads the client's classes.
 * Thread-safe; connection state (heartbeats, cleanup timer) is guarded by {@link ClientSessions}.
 */
final class ClientSession {

    /** Ray's default {@code max_retries} of normal tasks. */
    static final int DEFAULT_MAX_RETRIES = 3;

    private final String clientId;
    private final DriverCoreWorker driver;
    private final GcsClient gcs;
    private final long gracePeriodMs;
    private final Map<ByteString, ObjectRefImpl<?>> refs = new ConcurrentHashMap<>();
    // Guarded by ClientSessions.
    int openHeartbeats;
    ScheduledFuture<?> cleanup;
    boolean closed;

    ClientSession(String clientId, DriverCoreWorker driver, GcsClient gcs, long gracePeriodMs) {
        this.clientId = clientId;
        this.driver = driver;
        this.gcs = gcs;
        this.gracePeriodMs = gracePeriodMs;
    }

    String clientId() {
        return clientId;
    }

    CoreWorker worker() {
        return driver.worker();
    }

    String namespace() {
        return driver.namespace();
    }

    long gracePeriodMs() {
        return gracePeriodMs;
    }

    /** The number of objects the session holds. */
    int heldObjects() {
        return refs.size();
    }

    /**
     * Stores a client's serialized value in the driver, which owns it: inline, or in this node's object
     * store when large.
     */
    ObjectRefImpl<?> put(RayObject value) {
        ObjectRefImpl<?> ref = worker().putSerialized(value);
        refs.put(ref.id(), ref);
        return ref;
    }

    /**
     * The serialized values of the ids, in order, once all are available. The refs nested in them are
     * held by the session from then on, so the client can get them and pass them to tasks.
     */
    CompletableFuture<List<RayObject>> get(List<ByteString> ids) {
        List<CompletableFuture<RayObject>> futures = new ArrayList<>(ids.size());
        for (ByteString id : ids) {
            futures.add(worker().locateWithData(ref(id)));
        }
        return CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).thenApply(done -> {
            List<RayObject> objects = futures.stream().map(CompletableFuture::join).toList();
            for (RayObject object : objects) {
                for (ObjectReference nested : object.getNestedRefsList()) {
                    refs.putIfAbsent(nested.getObjectId(), ObjectRefImpl.of(nested));
                }
            }
            return objects;
        });
    }

    /** Ray.wait over the session's objects: [ready ids, remaining ids]. */
    List<List<ByteString>> waitFor(List<ByteString> ids, int numReturns, long timeoutMs) {
        List<ObjectRef<Object>> waitList = new ArrayList<>(ids.size());
        for (ByteString id : ids) {
            @SuppressWarnings("unchecked")
            ObjectRef<Object> ref = (ObjectRef<Object>) ref(id);
            waitList.add(ref);
        }
        int timeout = timeoutMs < 0 || timeoutMs > Integer.MAX_VALUE ? -1 : (int) timeoutMs;
        List<List<ObjectRef<Object>>> result = worker().waitFor(waitList, numReturns, timeout);
        return result.stream().map(refList -> refList.stream().map(r -> ((ObjectRefImpl<?>) r).id()).toList()).toList();
    }

    /**
     * Submits a normal task from the session's driver (default {@code CPU: 1}, Ray's 3 retries).
     * Arguments are serialized values or the session's refs.
     */
    ObjectRefImpl<?> submit(JavaFunctionDescriptor function, List<Object> args, Map<String, Double> requested, String name) {
        Map<String, Double> resources = new java.util.HashMap<>(requested);
        resources.putIfAbsent("CPU", 1.0);
        resources.values().removeIf(v -> v == 0);
        for (Map.Entry<String, Double> r : resources.entrySet()) {
            if (r.getValue() < 0 || r.getValue().isNaN()) {
                throw new IllegalArgumentException("Resource " + r.getKey() + " must not be negative, got " + r.getValue());
            }
        }
        ObjectRefImpl<?> ref = worker().submitTask(function, args.toArray(), resources, name, DEFAULT_MAX_RETRIES, "");
        refs.put(ref.id(), ref);
        return ref;
    }

    /** A task argument: the session's ref of {@code id}. */
    ObjectRefImpl<?> argRef(ByteString id) {
        return ref(id);
    }

    /** A task argument: a client-serialized value, passed on as is. */
    static SerializedValue argValue(RayObject value) {
        return new SerializedValue(value);
    }

    /**
     * Drops the session's hold on ids (the client holds no ref of them any more); the driver then frees
     * those no one else references. With {@code free}, frees them in the cluster as Ray.free does.
     * Returns how many were held.
     */
    int release(List<ByteString> ids, boolean free) {
        List<ObjectRef<?>> released = new ArrayList<>();
        for (ByteString id : ids) {
            ObjectRefImpl<?> ref = refs.remove(id);
            if (ref != null) {
                released.add(ref);
            }
        }
        if (free) {
            worker().free(released);
        }
        released.forEach(ref -> ((ObjectRefImpl<?>) ref).dispose());
        return released.size();
    }

    Address owner() {
        return worker().address();
    }

    private ObjectRefImpl<?> ref(ByteString id) {
        ObjectRefImpl<?> ref = refs.get(id);
        if (ref == null) {
            throw new IllegalArgumentException("Object " + HexFormat.of().formatHex(id.toByteArray()) + " is not held by the session of client "
                    + clientId + ": it was released, or it never was an object of this session");
        }
        return ref;
    }

    /** Ends the session: drops every object, closes the driver and marks the job finished. */
    void close() {
        refs.clear();
        try {
            worker().close();
        } finally {
            DriverCoreWorker.markJobFinished(gcs, worker().jobId());
        }
    }

    /** The future, failing with a TimeoutException after {@code timeoutMs}; a negative timeout waits without limit. */
    static <T> CompletableFuture<T> within(CompletableFuture<T> future, long timeoutMs) {
        return timeoutMs < 0 ? future : future.orTimeout(timeoutMs, TimeUnit.MILLISECONDS);
    }
}
