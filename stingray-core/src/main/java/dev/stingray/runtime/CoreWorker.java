package dev.stingray.runtime;

import com.google.protobuf.ByteString;
import dev.stingray.common.id.JobId;
import dev.stingray.common.id.NodeId;
import dev.stingray.proto.Address;
import dev.stingray.proto.CoreWorkerServiceGrpc;
import dev.stingray.proto.GetObjectReply;
import dev.stingray.proto.GetObjectRequest;
import dev.stingray.proto.JavaFunctionDescriptor;
import dev.stingray.proto.RayObject;
import dev.stingray.proto.ReturnObject;
import dev.stingray.proto.TaskArg;
import dev.stingray.proto.TaskSpec;
import dev.stingray.proto.TaskType;
import dev.stingray.proto.ActorCreationTaskSpec;
import dev.stingray.proto.ActorTaskSpec;
import dev.stingray.proto.CreateActorRequest;
import dev.stingray.proto.KillActorViaGcsRequest;
import dev.stingray.proto.RegisterActorRequest;
import dev.stingray.common.gcs.GcsClient;
import dev.stingray.runtime.actor.ActorHandleImpl;
import dev.stingray.runtime.actor.ActorTaskReceiver;
import dev.stingray.runtime.actor.ActorTaskSubmitter;
import dev.stingray.runtime.object.MemoryStore;
import dev.stingray.runtime.object.ObjectStoreClient;
import dev.stingray.proto.ObjectLocation;
import dev.stingray.runtime.object.ObjectRefImpl;
import dev.stingray.runtime.object.ReferenceCounter;
import dev.stingray.common.rpc.Channels;
import dev.stingray.runtime.rpc.CoreWorkerGrpcService;
import dev.stingray.runtime.serialization.ObjectSerializer;
import dev.stingray.runtime.task.TaskExecutor;
import dev.stingray.runtime.task.TaskSubmitter;
import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import io.ray.api.ObjectRef;
import io.ray.api.exception.RayException;
import io.ray.api.exception.RayTimeoutException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The core worker of one process, driver or worker (Ray: {@code CoreWorker}): owns the objects it puts
 * and the returns of the tasks it submits (in its {@link MemoryStore}), serves them to borrowers,
 * submits tasks through leased workers, creates actors through the GCS and calls their methods directly
 * ({@link ActorTaskSubmitter}), and — on workers — executes pushed tasks and hosts an actor. The GCS is
 * never on the per-task, per-call or per-object path.
 *
 * <p>Large objects (Ray: plasma): a put, a task return or an inline task argument whose serialized
 * size exceeds {@code max_direct_call_object_size} (100 KiB, {@code -Dray.max-direct-call-object-size})
 * is written into the local node's object store through shared memory; the owner's memory store then
 * holds only its {@link dev.stingray.proto.ObjectLocation} (node + raylet), which borrowers receive from
 * {@code GetObject} in place of the bytes. A reader on the object's node maps it from shared memory; a
 * reader elsewhere has its own raylet pull it (5 MiB chunks) first.
 *
 * <p>Freeing: when the last {@link ObjectRefImpl} of an object in this process is garbage collected
 * ({@link ReferenceCounter}), the object is dropped here, and an owner also frees it in the node's
 * store. Refs passed as task arguments (and large arguments put on the caller's behalf) are held until
 * the task finishes. Objects whose refs were serialized into other values (escaped) live until
 * {@code Ray.free} (which frees the primary copy; the raylet forwards the free to nodes that pulled a
 * copy) or until {@link #close()} (driver shutdown = job end) frees every object this worker owns in
 * any node's store. Objects owned by a process that dies without closing stay in the store (spillable,
 * so they cost disk rather than memory) until the raylet stops.
 *
 * <p>Threading: gRPC callbacks and fetches on the {@code core-worker} pool; tasks on one task thread.
 */
public final class CoreWorker implements AutoCloseable {

    /** Ray's ObjectID/TaskID length. */
    static final int ID_SIZE = 28;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final JobId jobId;
    private final NodeId nodeId;
    private final ByteString workerId;
    private final String ip;
    private final List<String> codeSearchPath;
    private final List<String> jobJvmOptions;
    private final MemoryStore store = new MemoryStore();
    private final ObjectSerializer serializer;
    private final Channels channels = new Channels();
    private final ExecutorService pool;
    private final ExecutorService taskThread;
    private final ScheduledExecutorService scheduler;
    private final Server server;
    private final Address address;
    private final TaskSubmitter submitter;
    /** Ray's {@code max_direct_call_object_size}: larger values go to the node's object store. */
    private final long maxDirectCallObjectSize = Long.getLong("ray.max-direct-call-object-size", 100 * 1024);
    private final ObjectStoreClient plasma;
    /** Objects this worker owns that live in a node's object store, freed there with Ray.free or at shutdown. */
    private final Map<ByteString, ObjectLocation> ownedInStore = new java.util.concurrent.ConcurrentHashMap<>();
    private final Address localRaylet;
    /** The refs each submitted task takes as arguments, held until the task finishes. */
    private final Map<ByteString, List<ObjectRefImpl<?>>> argsOfPendingTasks = new java.util.concurrent.ConcurrentHashMap<>();
    private final Runnable stopCounting;
    private final GcsClient gcs;
    private final TaskExecutor taskExecutor;
    private final ActorTaskReceiver actorReceiver;
    private final ActorTaskSubmitter actorSubmitter;

    public CoreWorker(JobId jobId, NodeId nodeId, ByteString workerId, String ip, Address localRaylet, GcsClient gcs,
            List<String> codeSearchPath, List<String> jobJvmOptions, boolean executesTasks, Runnable onExit) {
        this.jobId = jobId;
        this.gcs = gcs;
        this.nodeId = nodeId;
        this.workerId = workerId;
        this.ip = ip;
        this.codeSearchPath = List.copyOf(codeSearchPath);
        this.jobJvmOptions = List.copyOf(jobJvmOptions);
        this.localRaylet = localRaylet;
        this.plasma = new ObjectStoreClient(channels, localRaylet.getIpAddress() + ":" + localRaylet.getPort(), nodeId);
        ClassLoader loader = Thread.currentThread().getContextClassLoader() != null
                ? Thread.currentThread().getContextClassLoader() : CoreWorker.class.getClassLoader();
        this.serializer = new ObjectSerializer(loader);
        AtomicInteger threads = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(Math.max(4, Runtime.getRuntime().availableProcessors() * 2), r -> {
            Thread t = new Thread(r, "core-worker-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.taskThread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "task-executor");
            t.setDaemon(true);
            t.setContextClassLoader(loader);
            return t;
        });
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "core-worker-scheduler");
            t.setDaemon(true);
            return t;
        });
        TaskExecutor executor = executesTasks ? new TaskExecutor(serializer, loader, this::getValue, ip) : null;
        this.taskExecutor = executor;
        this.actorReceiver = executesTasks ? new ActorTaskReceiver(taskThread, loader) : null;
        try {
            this.server = NettyServerBuilder.forPort(0)
                    .maxInboundMessageSize(dev.stingray.common.rpc.GrpcChannels.MAX_MESSAGE_BYTES)
                    // Callers ping every 30 s during long tasks and object streams; without this the server
                    // answers GOAWAY "too_many_pings" after its default 5-minute permit time is violated.
                    .permitKeepAliveTime(20, java.util.concurrent.TimeUnit.SECONDS)
                    .executor(pool)
                    .addService(new CoreWorkerGrpcService(store, taskThread, executor == null ? null : spec -> storeLargeReturns(spec, executor.execute(spec)),
                            actorReceiver, () -> exitAfterReplies(onExit)))
                    // Liveness for the GCS: a job whose driver stops answering is marked finished.
                    .addService(new io.grpc.protobuf.services.HealthStatusManager().getHealthService())
                    .build().start();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start the core worker's gRPC server", e);
        }
        this.address = Address.newBuilder().setNodeId(nodeId.bytes()).setIpAddress(ip).setPort(server.getPort()).setWorkerId(workerId).build();
        TaskSubmitter.Completion completion = new TaskSubmitter.Completion() {
            @Override
            public void onReturns(TaskSpec spec, List<ReturnObject> returns, boolean applicationError) {
                returns.stream().filter(r -> r.getValue().hasLocation())
                        .forEach(r -> ownedInStore.put(r.getObjectId(), r.getValue().getLocation()));
                returns.forEach(r -> store.put(r.getObjectId(), r.getValue()));
                finished(spec);
            }

            @Override
            public void onFailure(TaskSpec spec, RuntimeException failure) {
                RayObject error = serializer.serializeError(failure);
                spec.getReturnIdsList().forEach(id -> store.put(id, error));
                finished(spec);
            }
        };
        this.submitter = new TaskSubmitter(channels, localRaylet, pool, scheduler, completion);
        this.actorSubmitter = new ActorTaskSubmitter(gcs, channels, pool, scheduler, completion);
        this.stopCounting = ReferenceCounter.onUnreferenced((id, escaped) -> {
            if (escaped) {
                return;
            }
            try {
                pool.execute(() -> unreferenced(id));
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // Closed: everything it held is gone already.
            }
        });
    }

    /**
     * Leaves the process once the replies already being sent are out (the reply to the method that called
     * {@code Ray.exitActor()} must reach its caller): graceful server shutdown, at most 5 s, then {@code onExit}.
     */
    private void exitAfterReplies(Runnable onExit) {
        Thread exit = new Thread(() -> {
            server.shutdown();
            try {
                server.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            onExit.run();
        }, "core-worker-exit");
        exit.setDaemon(true);
        exit.start();
    }

    /** A task ended: its arguments are released, and returns no one refers to any more are dropped. */
    private void finished(TaskSpec spec) {
        argsOfPendingTasks.remove(spec.getTaskId());
        for (ByteString id : spec.getReturnIdsList()) {
            if (!ReferenceCounter.isReferenced(id)) {
                unreferenced(id);
            }
        }
    }

    /** No ref of the object is alive in this process: drop it here, and free it in the store if owned. */
    private void unreferenced(ByteString id) {
        if (!store.knows(id) || ReferenceCounter.isReferenced(id)) {
            return;
        }
        store.free(id);
        ObjectLocation location = ownedInStore.remove(id);
        if (location != null) {
            plasma.free(location.getRayletAddress(), List.of(id));
        }
    }

    public static ByteString randomId(int size) {
        byte[] b = new byte[size];
        RANDOM.nextBytes(b);
        return ByteString.copyFrom(b);
    }

    public Address address() {
        return address;
    }

    /** How this process serializes values (the job's classes, refs owned here). */
    public ObjectSerializer serializer() {
        return serializer;
    }

    public JobId jobId() {
        return jobId;
    }

    public NodeId nodeId() {
        return nodeId;
    }

    public ByteString workerId() {
        return workerId;
    }

    public MemoryStore store() {
        return store;
    }

    // ------------------------------------------------------------------ objects

    public <T> ObjectRefImpl<T> put(Object value) {
        ByteString id = randomId(ID_SIZE);
        store.put(id, storeIfLarge(id, value, address));
        return new ObjectRefImpl<>(id, address);
    }

    /**
     * Puts a value serialized elsewhere (a Ray Client's put), owned by this worker: kept inline, or in
     * this node's object store above {@code max_direct_call_object_size}, like any other put.
     */
    public <T> ObjectRefImpl<T> putSerialized(RayObject value) {
        value.getNestedRefsList().forEach(r -> ReferenceCounter.markEscaped(r.getObjectId()));
        ByteString id = randomId(ID_SIZE);
        store.put(id, storeIfLarge(id, value, address));
        return new ObjectRefImpl<>(id, address);
    }

    /**
     * What the memory store keeps for a value: the value inline, or — above
     * {@code max_direct_call_object_size} — its location in this node's object store (Ray: plasma puts).
     */
    private RayObject storeIfLarge(ByteString id, Object value, Address owner) {
        if (value instanceof byte[] bytes && bytes.length > maxDirectCallObjectSize) {
            // Straight from the array into shared memory, without an intermediate copy.
            ObjectLocation location = plasma.put(id, ObjectSerializer.RAW, bytes.length, owner, buffer -> buffer.put(bytes));
            return inStore(id, RayObject.newBuilder().setMetadata(ObjectSerializer.RAW).build(), location, owner);
        }
        return storeIfLarge(id, serializer.serialize(value), owner);
    }

    private RayObject storeIfLarge(ByteString id, RayObject object, Address owner) {
        if (object.hasLocation() || object.getData().size() <= maxDirectCallObjectSize) {
            return object;
        }
        return inStore(id, object, plasma.put(id, object.getMetadata(), object.getData(), owner), owner);
    }

    private RayObject inStore(ByteString id, RayObject object, ObjectLocation location, Address owner) {
        if (owner.getWorkerId().equals(workerId)) {
            ownedInStore.put(id, location);
        }
        return object.toBuilder().clearData().setLocation(location).build();
    }

    /** A worker's task reply with returns above the threshold put into this node's store, owned by the caller. */
    private dev.stingray.proto.PushTaskReply storeLargeReturns(TaskSpec spec, dev.stingray.proto.PushTaskReply reply) {
        if (reply.getReturnObjectsList().stream().noneMatch(r -> r.getValue().getData().size() > maxDirectCallObjectSize)) {
            return reply;
        }
        var builder = reply.toBuilder().clearReturnObjects();
        for (ReturnObject r : reply.getReturnObjectsList()) {
            builder.addReturnObjects(r.toBuilder().setValue(storeIfLarge(r.getObjectId(), r.getValue(), spec.getCallerAddress())));
        }
        return builder.build();
    }

    /**
     * A serialized value with its data inline: values kept in an object store are read from it (pulled to
     * this node first if needed). For callers that pass values on without deserializing them.
     */
    public RayObject materialize(ByteString id, RayObject object) {
        if (!object.hasLocation()) {
            return object;
        }
        byte[] bytes = plasma.readBytes(id, object.getLocation());
        return object.toBuilder().clearLocation().setData(com.google.protobuf.UnsafeByteOperations.unsafeWrap(bytes)).build();
    }

    private Object deserialize(ByteString id, RayObject object) {
        if (!object.hasLocation()) {
            return serializer.deserialize(object);
        }
        if (object.getMetadata().equals(ObjectSerializer.RAW)) {
            return plasma.readBytes(id, object.getLocation());
        }
        return serializer.deserialize(materialize(id, object));
    }

    /** The value of a ref, fetched from its owner if needed; waits without limit. */
    public Object getValue(ObjectRefImpl<?> ref) {
        return getValue(ref, -1);
    }

    /** The value of a ref; a negative timeout waits without limit. Task errors are rethrown. */
    public Object getValue(ObjectRefImpl<?> ref, long timeoutMs) {
        CompletableFuture<RayObject> future = locate(ref);
        awaitDone(future, timeoutMs, ref + " was");
        return valueOf(ref, future);
    }

    public List<Object> getValues(List<? extends ObjectRef<?>> refs, long timeoutMs) {
        List<CompletableFuture<RayObject>> futures = refs.stream().map(r -> locate((ObjectRefImpl<?>) r)).toList();
        // One wait (and one blocked period on a worker) for the whole list.
        awaitDone(CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)), timeoutMs, refs.size() + " objects were not all");
        List<Object> values = new ArrayList<>(refs.size());
        for (int i = 0; i < refs.size(); i++) {
            values.add(valueOf((ObjectRefImpl<?>) refs.get(i), futures.get(i)));
        }
        return values;
    }

    /** Waits for the future within the timeout (negative: without limit); a failed future is reported by {@link #valueOf}. */
    private void awaitDone(CompletableFuture<?> future, long timeoutMs, String what) {
        if (future.isDone()) {
            return;
        }
        try {
            whileBlocked(() -> timeoutMs < 0 ? future.get() : future.get(timeoutMs, TimeUnit.MILLISECONDS));
        } catch (TimeoutException e) {
            throw new RayTimeoutException("Get timed out: " + what + " ready within " + timeoutMs + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RayException("Interrupted while getting: " + what + " ready");
        } catch (ExecutionException e) {
            // Reported by valueOf, for the ref it belongs to.
        }
    }

    /** The value of a done future; a task error is rethrown. */
    private Object valueOf(ObjectRefImpl<?> ref, CompletableFuture<RayObject> future) {
        RayObject object;
        try {
            object = future.join();
        } catch (java.util.concurrent.CompletionException | java.util.concurrent.CancellationException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new RayException("Failed to get " + ref + ": " + cause.getMessage(), cause);
        }
        Object value = deserialize(ref.id(), object);
        if (ObjectSerializer.isError(object)) {
            if (value instanceof RuntimeException re) {
                throw re;
            }
            throw new RayException("Task failed", (Throwable) value);
        }
        return value;
    }

    /**
     * The local future of a ref's serialized value; for a borrowed ref, starts fetching it from the
     * owner. Used by the Ray Client server, which passes values to its clients without deserializing.
     */
    public CompletableFuture<RayObject> locate(ObjectRefImpl<?> ref) {
        if (store.knows(ref.id()) || ref.owner().getWorkerId().equals(workerId)) {
            return store.entry(ref.id());
        }
        CompletableFuture<RayObject> entry = store.entry(ref.id());
        pool.execute(() -> fetchFromOwner(ref, entry));
        return entry;
    }

    /**
     * Like {@link #locate}, with a value kept in an object store read into the returned object (off the
     * caller's thread): for the Ray Client server, whose clients have no object store.
     */
    public CompletableFuture<RayObject> locateWithData(ObjectRefImpl<?> ref) {
        return locate(ref).thenApplyAsync(object -> materialize(ref.id(), object), pool);
    }

    private void fetchFromOwner(ObjectRefImpl<?> ref, CompletableFuture<RayObject> entry) {
        var stub = CoreWorkerServiceGrpc.newBlockingStub(channels.to(ref.owner()));
        while (!entry.isDone()) {
            try {
                GetObjectReply reply = stub.withDeadlineAfter(35, TimeUnit.SECONDS)
                        .getObject(GetObjectRequest.newBuilder().setObjectId(ref.id()).setTimeoutMs(30_000).build());
                switch (reply.getStatus()) {
                    case READY -> store.put(ref.id(), reply.getValue());
                    case PENDING -> { }
                    case FREED, NOT_OWNED, UNRECOGNIZED -> entry.complete(serializer.serializeError(new RayException(
                            "Object " + ref + " is not available from its owner " + ref.owner().getIpAddress() + ":" + ref.owner().getPort()
                                    + " (" + reply.getStatus() + "); it may have been freed")));
                }
            } catch (RuntimeException e) {
                entry.complete(serializer.serializeError(new RayException("The owner of " + ref + " at " + ref.owner().getIpAddress()
                        + ":" + ref.owner().getPort() + " is unreachable (" + e.getMessage() + "); the object is lost")));
            }
        }
    }

    /**
     * Waits as {@code waiting} does; on a worker, its lease's CPUs are lent back to the node meanwhile
     * (Ray: {@code NotifyDirectCallTaskBlocked}), so the tasks a task waits for can run even when it holds
     * the node's last CPU.
     */
    private <T> T whileBlocked(Waiting<T> waiting) throws InterruptedException, ExecutionException, TimeoutException {
        // Ray lends a blocked normal task's CPUs only: an actor keeps what it holds (ShouldReleaseResourcesOnBlockingCalls).
        if (taskExecutor == null || !currentActorId().isEmpty()) {
            return waiting.get();
        }
        notifyBlocked(true);
        try {
            return waiting.get();
        } finally {
            notifyBlocked(false);
        }
    }

    private void notifyBlocked(boolean blocked) {
        try {
            dev.stingray.proto.NodeManagerServiceGrpc.newBlockingStub(channels.to(localRaylet)).withDeadlineAfter(10, TimeUnit.SECONDS)
                    .notifyWorkerBlocked(dev.stingray.proto.NotifyWorkerBlockedRequest.newBuilder().setWorkerId(workerId).setBlocked(blocked).build());
        } catch (RuntimeException e) {
            // The wait goes on either way; only the node's CPU accounting is off until the lease ends.
            System.err.println("Could not tell the raylet this worker is " + (blocked ? "blocked" : "unblocked") + ": " + e.getMessage());
        }
    }

    /** A blocking wait for object futures. */
    @FunctionalInterface
    private interface Waiting<T> {
        T get() throws InterruptedException, ExecutionException, TimeoutException;
    }

    /** Ray.wait: the first {@code numReturns} ready refs in input order, within the timeout. */
    public <T> List<List<ObjectRef<T>>> waitFor(List<ObjectRef<T>> refs, int numReturns, int timeoutMs) {
        if (numReturns < 0 || numReturns > refs.size()) {
            throw new IllegalArgumentException("numReturns must be between 0 and the number of refs (" + refs.size() + "), got " + numReturns);
        }
        List<CompletableFuture<RayObject>> futures = refs.stream().map(r -> locate((ObjectRefImpl<?>) r)).toList();
        if (futures.stream().filter(CompletableFuture::isDone).count() < numReturns) {
            try {
                return whileBlocked(() -> awaitReady(refs, futures, numReturns, timeoutMs));
            } catch (InterruptedException | ExecutionException | TimeoutException e) {
                throw new IllegalStateException("Unexpected failure of Ray.wait", e);
            }
        }
        return awaitReady(refs, futures, numReturns, timeoutMs);
    }

    private <T> List<List<ObjectRef<T>>> awaitReady(List<ObjectRef<T>> refs, List<CompletableFuture<RayObject>> futures, int numReturns,
            int timeoutMs) {
        long deadline = timeoutMs < 0 ? Long.MAX_VALUE : System.currentTimeMillis() + timeoutMs;
        // Every arrival signals the store; re-count then. No per-call callbacks pile up on shared futures.
        while (futures.stream().filter(CompletableFuture::isDone).count() < numReturns) {
            long left = deadline - System.currentTimeMillis();
            if (left <= 0) {
                break;
            }
            try {
                store.awaitArrival(Math.min(left, 20));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        List<ObjectRef<T>> ready = new ArrayList<>();
        List<ObjectRef<T>> unready = new ArrayList<>();
        for (int i = 0; i < refs.size(); i++) {
            if (futures.get(i).isDone() && ready.size() < numReturns) {
                ready.add(refs.get(i));
            } else {
                unready.add(refs.get(i));
            }
        }
        return List.of(ready, unready);
    }

    /** Ray.free: drops the values here and deletes their copies in the object stores (owned or borrowed). */
    public void free(List<ObjectRef<?>> refs) {
        Map<String, List<ByteString>> byRaylet = new java.util.HashMap<>();
        for (ObjectRef<?> r : refs) {
            ByteString id = ((ObjectRefImpl<?>) r).id();
            ObjectLocation location = ownedInStore.remove(id);
            if (location == null && store.contains(id)) {
                RayObject value = store.entry(id).getNow(null);
                location = value != null && value.hasLocation() ? value.getLocation() : null;
            }
            if (location != null) {
                byRaylet.computeIfAbsent(location.getRayletAddress(), k -> new ArrayList<>()).add(id);
            }
            store.free(id);
            ReferenceCounter.forget(id);
        }
        byRaylet.forEach(plasma::free);
    }

    /** Job end for this worker's objects: deletes every object it owns from the object stores. */
    private void freeOwnedInStores() {
        Map<String, List<ByteString>> byRaylet = new java.util.HashMap<>();
        ownedInStore.forEach((id, location) -> byRaylet.computeIfAbsent(location.getRayletAddress(), k -> new ArrayList<>()).add(id));
        ownedInStore.clear();
        byRaylet.forEach(plasma::free);
    }

    // ------------------------------------------------------------------ tasks

    /** Submits a normal task in a runtime env (canonical JSON, "" for none); the returned ref is owned by this worker. */
    public <T> ObjectRefImpl<T> submitTask(JavaFunctionDescriptor function, Object[] args, Map<String, Double> resources, String name,
            int maxRetries, String runtimeEnv) {
        TaskSpec.Builder spec = newSpec(TaskType.NORMAL_TASK, function, name)
                .putAllRequiredResources(resources)
                .setMaxRetries(maxRetries)
                .setSerializedRuntimeEnv(runtimeEnv);
        List<ObjectRefImpl<?>> argRefs = addArgs(spec, args);
        ObjectRefImpl<T> returned = addReturn(spec, argRefs);
        submitter.submit(spec.build());
        return returned;
    }

    /**
     * Creates an actor (Ray: {@code CoreWorker::CreateActor}): registers it with the GCS — which rejects a
     * name already taken in the namespace with {@link IllegalArgumentException} — and has the GCS place it.
     * Returns at once; calls made before it is ALIVE wait in this process.
     */
    public <A> ActorHandleImpl<A> createActor(JavaFunctionDescriptor constructor, Object[] args, Map<String, Double> resources,
            ActorCreationTaskSpec options, String runtimeEnv) {
        // Ray's ActorID: 12 unique bytes, then the job id.
        ByteString actorId = randomId(12).concat(jobId.bytes());
        TaskSpec.Builder spec = newSpec(TaskType.ACTOR_CREATION_TASK, constructor, null)
                .putAllRequiredResources(resources)
                .setSerializedRuntimeEnv(runtimeEnv)
                .setActorCreationTaskSpec(options.toBuilder().setActorId(actorId));
        // The creation task runs later, and again on every restart: its argument refs must outlive this call.
        addArgs(spec, args).forEach(ref -> ReferenceCounter.markEscaped(ref.id()));
        TaskSpec creation = spec.build();
        try {
            gcs.actors().registerActor(RegisterActorRequest.newBuilder().setTaskSpec(creation).build());
        } catch (io.grpc.StatusRuntimeException e) {
            if (e.getStatus().getCode() == io.grpc.Status.Code.ALREADY_EXISTS || e.getStatus().getCode() == io.grpc.Status.Code.INVALID_ARGUMENT) {
                throw new IllegalArgumentException(e.getStatus().getDescription(), e);
            }
            throw new RayException("Could not register actor " + constructor.getClassName() + " with the GCS at " + gcs.address() + ": "
                    + e.getStatus(), e);
        }
        var created = gcs.actorsAsync().createActor(CreateActorRequest.newBuilder().setTaskSpec(creation).build());
        com.google.common.util.concurrent.Futures.addCallback(created, new com.google.common.util.concurrent.FutureCallback<>() {
            @Override
            public void onSuccess(dev.stingray.proto.CreateActorReply reply) {
            }

            @Override
            public void onFailure(Throwable t) {
                // Its callers learn why from the actor's DEAD row; this is for the driver's log.
                System.err.println("Actor " + constructor.getClassName() + " was not created: " + t.getMessage());
            }
        }, pool);
        return new ActorHandleImpl<>(actorId, options.getMaxTaskRetries());
    }

    /** Calls an actor method (Ray: {@code SubmitActorTask}); the returned ref is owned by this worker. */
    public <T> ObjectRefImpl<T> submitActorTask(ActorHandleImpl<?> actor, JavaFunctionDescriptor method, Object[] args, String name) {
        TaskSpec.Builder spec = newSpec(TaskType.ACTOR_TASK, method, name)
                .setActorTaskSpec(ActorTaskSpec.newBuilder().setActorId(actor.id()));
        List<ObjectRefImpl<?>> argRefs = addArgs(spec, args);
        ObjectRefImpl<T> returned = addReturn(spec, argRefs);
        actorSubmitter.submit(actor.id(), spec.build(), actor.maxTaskRetries());
        return returned;
    }

    /** Ray's {@code KillActor}: asks the GCS to kill the actor; with {@code noRestart} it ends DEAD. */
    public void killActor(ActorHandleImpl<?> actor, boolean noRestart) {
        gcs.actors().killActorViaGcs(KillActorViaGcsRequest.newBuilder().setActorId(actor.id()).setForceKill(true).setNoRestart(noRestart).build());
    }

    /**
     * Ray.exitActor(): tells the GCS this worker is leaving on purpose (its actor ends DEAD, not restarted)
     * and throws {@link io.ray.api.exception.RayIntentionalSystemExitException}, which ends the current
     * method with a reply that says the worker exits.
     */
    public void exitActor() {
        if (taskExecutor == null || taskExecutor.actorId().isEmpty()) {
            throw new RuntimeException("This shouldn't be called on a non-actor worker.");
        }
        gcs.workers().reportWorkerFailure(dev.stingray.proto.ReportWorkerFailureRequest.newBuilder()
                .setWorkerFailure(dev.stingray.proto.WorkerTableData.newBuilder().setWorkerAddress(address).setJobId(jobId.bytes())
                        .setPid((int) ProcessHandle.current().pid())
                        .setExitType(dev.stingray.proto.WorkerTableData.ExitType.INTENDED_USER_EXIT)
                        .setExitDetail("Ray.exitActor() was called"))
                .build());
        String id = io.ray.api.id.ActorId.fromBytes(taskExecutor.actorId().toByteArray()).toString();
        throw new io.ray.api.exception.RayIntentionalSystemExitException("Actor " + id + " is exiting.");
    }

    /** The id of the actor this worker hosts, empty when it hosts none (drivers, normal-task workers). */
    public ByteString currentActorId() {
        return taskExecutor == null ? ByteString.EMPTY : taskExecutor.actorId();
    }

    /** The resources the task running on the calling thread was granted; empty on drivers and outside tasks. */
    public Map<String, Double> currentTaskResources() {
        return taskExecutor == null ? Map.of() : taskExecutor.currentResources();
    }

    /** Whether the hosted actor is a restarted incarnation. */
    public boolean wasCurrentActorRestarted() {
        return taskExecutor != null && taskExecutor.actorRestarted();
    }

    private TaskSpec.Builder newSpec(TaskType type, JavaFunctionDescriptor function, String name) {
        return TaskSpec.newBuilder()
                .setType(type)
                .setTaskId(randomId(ID_SIZE))
                .setJobId(jobId.bytes())
                .setFunction(function)
                .setName(name == null || name.isEmpty() ? function.getClassName() + "." + function.getFunctionName() : name)
                .setCallerAddress(address)
                .addAllCodeSearchPath(codeSearchPath)
                .addAllJobJvmOptions(jobJvmOptions);
    }

    /** Adds the arguments: refs by reference, small values inline, large values put into the store first. */
    private List<ObjectRefImpl<?>> addArgs(TaskSpec.Builder spec, Object[] args) {
        List<ObjectRefImpl<?>> argRefs = new ArrayList<>();
        for (Object arg : args) {
            if (arg instanceof ObjectRefImpl<?> ref) {
                spec.addArgs(TaskArg.newBuilder().setObjectRef(ref.toReference()));
                argRefs.add(ref);
            } else if (arg instanceof dev.stingray.runtime.object.SerializedValue serialized) {
                serialized.value().getNestedRefsList().forEach(r -> ReferenceCounter.markEscaped(r.getObjectId()));
                spec.addArgs(TaskArg.newBuilder().setValue(serialized.value()));
            } else {
                RayObject value = serializer.serialize(arg);
                if (value.getData().size() > maxDirectCallObjectSize) {
                    // Ray: large arguments are put into the object store and passed by reference.
                    ByteString argId = randomId(ID_SIZE);
                    store.put(argId, storeIfLarge(argId, value, address));
                    ObjectRefImpl<?> argRef = new ObjectRefImpl<>(argId, address);
                    spec.addArgs(TaskArg.newBuilder().setObjectRef(argRef.toReference()));
                    argRefs.add(argRef);
                } else {
                    spec.addArgs(TaskArg.newBuilder().setValue(value));
                }
            }
        }
        return argRefs;
    }

    /** Adds the one return, owned here, and holds the argument refs until the task finishes. */
    private <T> ObjectRefImpl<T> addReturn(TaskSpec.Builder spec, List<ObjectRefImpl<?>> argRefs) {
        ByteString returnId = randomId(ID_SIZE);
        spec.setNumReturns(1).addReturnIds(returnId);
        store.entry(returnId);
        if (!argRefs.isEmpty()) {
            argsOfPendingTasks.put(spec.getTaskId(), argRefs);
        }
        return new ObjectRefImpl<>(returnId, address);
    }

    @Override
    public void close() {
        stopCounting.run();
        submitter.returnAllLeases();
        actorSubmitter.close();
        if (actorReceiver != null) {
            actorReceiver.close();
        }
        freeOwnedInStores();
        server.shutdownNow();
        channels.close();
        pool.shutdownNow();
        taskThread.shutdownNow();
        scheduler.shutdownNow();
    }
}
