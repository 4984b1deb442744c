package dev.stingray.clientproxy;

import com.google.protobuf.ByteString;
import dev.stingray.common.gcs.GcsClient;
import dev.stingray.proto.Address;
import dev.stingray.proto.JavaFunctionDescriptor;
import dev.stingray.proto.ObjectReference;
import dev.stingray.proto.RayObject;
import dev.stingray.runtime.CoreWorker;
import dev.stingray.runtime.DriverCoreWorker;
import dev.stingray.runtime.StingrayRuntime;
import io.ray.api.ActorHandle;
import io.ray.api.options.CallOptions;
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

    private final String clientId;
    private final DriverCoreWorker driver;
    private final StingrayRuntime runtime;
    private final GcsClient gcs;
    private final long gracePeriodMs;
    private final Map<ByteString, ObjectRefImpl<?>> refs = new ConcurrentHashMap<>();
    // Guarded by ClientSessions.
    int openHeartbeats;
    ScheduledFuture<?> cleanup;
    boolean closed;

    ClientSession(String clientId, DriverCoreWorker driver, GcsClient gcs, long gracePeriodMs, String jobRuntimeEnv) {
        this.clientId = clientId;
        this.driver = driver;
        this.runtime = StingrayRuntime.hosting(gcs, driver, jobRuntimeEnv);
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
     * The session driver's runtime: what an in-cluster driver's {@code Ray} API does (actors, placement groups,
     * runtime envs, ...), for the client.
     */
    StingrayRuntime runtime() {
        return runtime;
    }

    /**
     * Runs a driver operation outside the client's gRPC call: the RPCs it starts (an actor's creation in the GCS, a
     * placement group's) must outlive that call, whose context is cancelled when it is answered.
     */
    static <T> T outsideTheCall(java.util.function.Supplier<T> operation) {
        io.grpc.Context previous = io.grpc.Context.ROOT.attach();
        try {
            return operation.get();
        } finally {
            io.grpc.Context.ROOT.detach(previous);
        }
    }

    /** A value the client's runtime serialized (options, handles), read with the driver's serializer. */
    Object deserialize(ByteString bytes) {
        try {
            return worker().serializer().deserialize(RayObject.parseFrom(bytes));
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new IllegalArgumentException("Not a serialized value from a Stingray client (" + bytes.size() + " bytes): " + e.getMessage());
        }
    }

    /** A value for the client's runtime to read (actor handles, placement groups). */
    ByteString serialize(Object value) {
        return worker().serializer().serialize(value).toByteString();
    }

    /**
     * Submits a normal task from the session's driver as an in-cluster driver would (default {@code CPU: 1}, Ray's
     * retries, placement groups, runtime env); the session holds its return. Arguments are serialized values or the
     * session's refs.
     */
    ObjectRefImpl<?> submit(JavaFunctionDescriptor function, List<Object> args, CallOptions options, String runtimeEnv) {
        return hold(runtime.call(function, args.toArray(), options, runtimeEnv));
    }

    /** Calls an actor's method from the session's driver; the session holds its return. */
    ObjectRefImpl<?> callActor(ActorHandle<?> actor, JavaFunctionDescriptor method, List<Object> args, CallOptions options) {
        return hold(runtime.callActor(actor, method, args.toArray(), options));
    }

    private ObjectRefImpl<?> hold(ObjectRefImpl<?> ref) {
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
