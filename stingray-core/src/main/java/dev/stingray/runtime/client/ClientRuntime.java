package dev.stingray.runtime.client;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.stingray.proto.RayObject;
import dev.stingray.proto.client.ClientArg;
import dev.stingray.proto.client.ClientJobConfig;
import dev.stingray.proto.client.ClientObjects;
import dev.stingray.proto.client.ClientTask;
import dev.stingray.proto.client.ClientTaskOptions;
import dev.stingray.proto.client.ClientTaskTicket;
import dev.stingray.proto.client.GetRequest;
import dev.stingray.proto.client.GetResponse;
import dev.stingray.proto.client.InitRequest;
import dev.stingray.proto.client.InitResponse;
import dev.stingray.proto.client.PutRequest;
import dev.stingray.proto.client.PutResponse;
import dev.stingray.proto.client.ReleaseRequest;
import dev.stingray.proto.client.TerminateRequest;
import dev.stingray.proto.client.WaitRequest;
import dev.stingray.proto.client.WaitResponse;
import dev.stingray.common.version.StingrayVersion;
import dev.stingray.proto.PinRuntimeEnvURIRequest;
import dev.stingray.proto.client.KVExistsRequest;
import dev.stingray.proto.client.KVPutRequest;
import dev.stingray.common.runtimeenv.RuntimeEnvSpec;
import dev.stingray.proto.client.ActorTerminate;
import dev.stingray.proto.client.ClientPlacementGroupRequest;
import dev.stingray.runtime.config.RayConfig;
import dev.stingray.runtime.runtimeenv.RuntimeEnvOptions;
import io.ray.api.ActorHandle;
import io.ray.api.BaseActorHandle;
import io.ray.api.id.ActorId;
import io.ray.api.id.PlacementGroupId;
import io.ray.api.options.ActorCreationOptions;
import io.ray.api.options.PlacementGroupCreationOptions;
import io.ray.api.placementgroup.PlacementGroup;
import java.util.Optional;
import dev.stingray.runtime.runtimeenv.DriverClassPath;
import dev.stingray.runtime.runtimeenv.PackageStore;
import dev.stingray.runtime.runtimeenv.RuntimeEnvPackager;
import dev.stingray.runtime.serialization.ObjectSerializer;
import dev.stingray.runtime.task.FunctionDescriptors;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.ray.api.ObjectRef;
import io.ray.api.WaitResult;
import io.ray.api.exception.RayException;
import io.ray.api.exception.RayTimeoutException;
import io.ray.api.function.RayFunc;
import io.ray.api.id.JobId;
import io.ray.api.id.UniqueId;
import io.ray.api.options.CallOptions;
import io.ray.api.runtime.RayRuntime;
import io.ray.api.runtimecontext.RuntimeContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Client mode ({@code ray.address=ray://HOST:PORT}): a {@link RayRuntime} whose every call goes to the
 * Ray Client server (Ray: {@code python/ray/util/client/worker.py}). The server hosts this client's
 * driver and job; this process holds only {@link ClientObjectRef}s and serializes values itself with
 * the runtime's {@link ObjectSerializer}, so values and errors travel as the same RayObject bytes as in
 * the cluster, in {@link ClientChunks}.
 *
 * <p>The job's code: this JVM's own class-path entries are uploaded as packages and loaded by the job's
 * workers on any node; an explicit {@code ray.job.code-search-path} names paths on the cluster's machines instead.
 * Actors, placement groups and runtime environments work as for an in-cluster driver: the options objects travel
 * serialized (as Ray's client pickles them) and the session's driver applies them; handles are Stingray's own, so
 * they pass into tasks and actors. An object
 * stays in the session until the client's last ref of it is garbage collected (released in batches every
 * {@link #RELEASE_INTERVAL_MS} ms, as Ray's client releases refs on {@code __del__}), {@link #free}, or
 * the end of the session.
 *
 * <p>Thread-safe: every call is an independent gRPC call.
 */
public final class ClientRuntime extends dev.stingray.runtime.BaseRayRuntime {

    @Override
    protected UnsupportedOperationException notYet(String what) {
        return new UnsupportedOperationException(what + " are not supported in Ray Client mode (ray://) by Stingray yet");
    }


    private static volatile ClientRuntime current;

    private final ClientConnection connection;
    /** Uploads this client's jars (its code, runtime-env java_jars) through the server. */
    private final RuntimeEnvPackager packager;
    private final ObjectSerializer serializer;
    private final JobId jobId;
    private final String namespace;
    private final UniqueId nodeId;
    /** How often ids whose refs were garbage collected are released from the session. */
    static final long RELEASE_INTERVAL_MS = 100;
    private final java.util.Queue<ByteString> unreferenced = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final Runnable stopCounting;
    private final java.util.concurrent.ScheduledExecutorService releaser;

    private ClientRuntime(ClientConnection connection, InitResponse init, RuntimeEnvPackager packager) {
        this.connection = connection;
        this.packager = packager;
        ClassLoader loader = Thread.currentThread().getContextClassLoader() != null
                ? Thread.currentThread().getContextClassLoader() : ClientRuntime.class.getClassLoader();
        this.serializer = new ObjectSerializer(loader, ClientObjectRef::new);
        this.jobId = JobId.fromBytes(init.getJobId().toByteArray());
        this.namespace = init.getNamespace();
        this.nodeId = new UniqueId(init.getNodeId().toByteArray());
        this.stopCounting = dev.stingray.runtime.object.ReferenceCounter.onUnreferenced((id, escaped) -> unreferenced.add(id));
        this.releaser = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "ray-client-release");
            t.setDaemon(true);
            return t;
        });
        releaser.scheduleWithFixedDelay(this::releaseUnreferenced, RELEASE_INTERVAL_MS, RELEASE_INTERVAL_MS, TimeUnit.MILLISECONDS);
    }

    /** Tells the session which ids the client holds no ref of any more (the server keeps those that escaped into values). */
    private void releaseUnreferenced() {
        ReleaseRequest.Builder request = ReleaseRequest.newBuilder();
        for (ByteString id = unreferenced.poll(); id != null && request.getIdsCount() < 10_000; id = unreferenced.poll()) {
            if (dev.stingray.runtime.object.ReferenceCounter.liveRefs(id) == 0) {
                // Not re-created since (a later get may have returned the same id again).
                request.addIds(id);
            }
        }
        if (request.getIdsCount() == 0) {
            return;
        }
        try {
            connection.blocking().withDeadlineAfter(30, TimeUnit.SECONDS).releaseObject(request.build());
        } catch (StatusRuntimeException e) {
            // The session is gone or unreachable: its objects are released with it.
        }
    }

    /** The client runtime of this process; {@link ClientObjectRef#get()} goes through it. */
    static ClientRuntime current() {
        ClientRuntime r = current;
        if (r == null) {
            throw new IllegalStateException("Ray is not initialized in client mode in this process; call Ray.init() with "
                    + "-Dray.address=ray://HOST:PORT first");
        }
        return r;
    }

    /**
     * Connects to the Ray Client server at {@code config.address()} ({@code ray://host:port}) and opens a
     * session: the server starts a driver for this client and registers its job.
     */
    public static ClientRuntime connect(RayConfig config) {
        if (!config.isClientMode()) {
            throw new IllegalArgumentException("Client mode needs ray.address=ray://HOST:PORT, got '" + config.address() + "'");
        }
        String address = config.address().substring("ray://".length());
        Duration grace = Duration.ofSeconds(Long.parseLong(System.getProperty("ray.client.reconnect-grace-period-s",
                System.getenv().getOrDefault("RAY_CLIENT_RECONNECT_GRACE_PERIOD", "30"))));
        boolean logToDriver = Boolean.parseBoolean(System.getProperty("ray.log-to-driver", "true"));
        ClientConnection connection = new ClientConnection(address, grace, logToDriver, System.out, System.err);
        try {
            RuntimeEnvPackager packager = new RuntimeEnvPackager(packageStore(connection));
            // Ray Java's ray.job.runtime-env: the job's default env, its jars uploaded from this machine.
            String jobEnv = packager.resolve(RuntimeEnvSpec.parse(System.getProperty("ray.job.runtime-env", "")));
            InitRequest init = InitRequest.newBuilder()
                    .setJobConfig(ClientJobConfig.newBuilder().setNamespace(config.namespace())
                            .addAllCodeSearchPath(jobCodeSearchPath(config, connection, packager))
                            .addAllJvmOptions(config.jvmOptions()).setRuntimeEnv(jobEnv))
                    .setReconnectGracePeriodS((int) grace.toSeconds())
                    .setClientVersion(StingrayVersion.current())
                    .build();
            ClientRuntime runtime = new ClientRuntime(connection, connection.open(init), packager);
            current = runtime;
            return runtime;
        } catch (RuntimeException e) {
            connection.close();
            throw e;
        }
    }

    /**
     * The job's code search path: {@code ray.job.code-search-path} as given (paths on the cluster's machines);
     * otherwise this JVM's own class-path entries ({@link DriverClassPath}), uploaded through the server's KV as
     * content-addressed packages that every worker of the job loads ({@link RuntimeEnvPackager#ship}).
     */
    private static List<String> jobCodeSearchPath(RayConfig config, ClientConnection connection, RuntimeEnvPackager packager) {
        if (config.codeSearchPathGiven()) {
            return config.codeSearchPath();
        }
        RuntimeEnvPackager.Shipped shipped = packager.ship(DriverClassPath.userEntries(config.codeSearchPath()));
        System.err.println("Ray Client: shipped the job's code to ray://" + connection.address() + ": " + shipped.describe());
        return shipped.uris();
    }

    /** Packages go into the GCS KV through the server's KV calls, pinned through the server. */
    private static PackageStore packageStore(ClientConnection connection) {
        return new PackageStore() {
            @Override
            public void pin(String uri, int seconds) {
                call(() -> connection.blocking().withDeadlineAfter(30, TimeUnit.SECONDS)
                        .pinRuntimeEnvURI(PinRuntimeEnvURIRequest.newBuilder().setUri(uri).setExpirationS(seconds).build()));
            }

            @Override
            public boolean exists(String uri) {
                return call(() -> connection.blocking().withDeadlineAfter(30, TimeUnit.SECONDS)
                        .kVExists(KVExistsRequest.newBuilder().setKey(ByteString.copyFromUtf8(uri)).build()).getExists());
            }

            @Override
            public void put(String uri, ByteString zip) {
                call(() -> connection.blocking().withDeadlineAfter(10, TimeUnit.MINUTES)
                        .kVPut(KVPutRequest.newBuilder().setKey(ByteString.copyFromUtf8(uri)).setValue(zip).setOverwrite(false).build()));
            }

            private <T> T call(java.util.function.Supplier<T> rpc) {
                try {
                    return rpc.get();
                } catch (StatusRuntimeException e) {
                    throw new IllegalStateException("Cannot ship the job's code to the Ray Client server at ray://" + connection.address() + ": "
                            + e.getStatus().getCode() + " " + e.getStatus().getDescription()
                            + " (set -Dray.job.code-search-path to paths on the cluster's machines to ship nothing)", e);
                }
            }
        };
    }

    @Override
    public void shutdown() {
        stopCounting.run();
        releaser.shutdownNow();
        try {
            connection.blocking().withDeadlineAfter(30, TimeUnit.SECONDS).terminate(TerminateRequest.getDefaultInstance());
        } catch (StatusRuntimeException e) {
            System.err.println("Ray Client: could not end the session on ray://" + connection.address() + ": " + e.getStatus());
        } finally {
            connection.close();
            if (current == this) {
                current = null;
            }
        }
    }

    // ------------------------------------------------------------------ objects

    @Override
    public <T> ObjectRef<T> put(T obj) {
        ByteString bytes = serializer.serialize(obj).toByteString();
        List<ByteString> chunks = ClientChunks.split(bytes);
        CompletableFuture<PutResponse> reply = new CompletableFuture<>();
        StreamObserver<PutRequest> call = connection.async().putObject(responseTo(reply));
        for (int i = 0; i < chunks.size(); i++) {
            call.onNext(PutRequest.newBuilder().setChunkId(i).setTotalChunks(chunks.size()).setTotalSize(bytes.size()).setData(chunks.get(i)).build());
        }
        call.onCompleted();
        PutResponse response = await(reply, "put");
        if (!response.getValid()) {
            throw new RayException("Put failed on ray://" + connection.address() + ": " + response.getError());
        }
        return new ClientObjectRef<>(response.getId(), response.getOwner());
    }

    @Override
    public <T> T get(ObjectRef<T> objectRef) {
        return get(objectRef, -1);
    }

    @Override
    public <T> T get(ObjectRef<T> objectRef, long timeoutMs) {
        return get(List.of(objectRef), timeoutMs).get(0);
    }

    @Override
    public <T> List<T> get(List<ObjectRef<T>> objectRefs) {
        return get(objectRefs, -1);
    }

    /** Fetches the values in one call; the first task error among them is rethrown as in the cluster. */
    @Override
    @SuppressWarnings("unchecked")
    public <T> List<T> get(List<ObjectRef<T>> objectRefs, long timeoutMs) {
        if (objectRefs.isEmpty()) {
            return List.of();
        }
        GetRequest.Builder request = GetRequest.newBuilder().setTimeoutMs(timeoutMs);
        objectRefs.forEach(r -> request.addIds(idOf(r)));
        ByteString data = ByteString.EMPTY;
        try {
            var stub = connection.blocking();
            if (timeoutMs >= 0) {
                stub = stub.withDeadlineAfter(timeoutMs + 60_000, TimeUnit.MILLISECONDS);
            }
            var responses = stub.getObject(request.build());
            while (responses.hasNext()) {
                GetResponse chunk = responses.next();
                if (!chunk.getValid()) {
                    if (chunk.getTimedOut()) {
                        throw new RayTimeoutException("Get timed out: " + objectRefs + " were not ready within " + timeoutMs + " ms");
                    }
                    throw new RayException("Get failed on ray://" + connection.address() + ": " + chunk.getError());
                }
                data = data.concat(chunk.getData());
            }
        } catch (StatusRuntimeException e) {
            throw failed("get", e);
        }
        List<RayObject> objects;
        try {
            objects = ClientObjects.parseFrom(data).getObjectsList();
        } catch (InvalidProtocolBufferException e) {
            throw new RayException("Corrupt objects from ray://" + connection.address() + " (" + data.size() + " bytes)", e);
        }
        List<T> values = new ArrayList<>(objects.size());
        for (RayObject object : objects) {
            Object value = serializer.deserialize(object);
            if (ObjectSerializer.isError(object)) {
                if (value instanceof RuntimeException re) {
                    throw re;
                }
                throw new RayException("Task failed", (Throwable) value);
            }
            values.add((T) value);
        }
        return values;
    }

    @Override
    public <T> WaitResult<T> wait(List<ObjectRef<T>> waitList, int numReturns, int timeoutMs, boolean fetchLocal) {
        if (numReturns < 0 || numReturns > waitList.size()) {
            throw new IllegalArgumentException("numReturns must be between 0 and the number of refs (" + waitList.size() + "), got " + numReturns);
        }
        WaitRequest.Builder request = WaitRequest.newBuilder().setNumReturns(numReturns).setTimeoutMs(timeoutMs);
        waitList.forEach(r -> request.addObjectIds(idOf(r)));
        WaitResponse response;
        try {
            response = connection.blocking().waitObject(request.build());
        } catch (StatusRuntimeException e) {
            throw failed("wait", e);
        }
        if (!response.getValid()) {
            throw new RayException("Wait failed on ray://" + connection.address() + ": " + response.getError());
        }
        Map<ByteString, ObjectRef<T>> byId = new HashMap<>();
        waitList.forEach(r -> byId.put(idOf(r), r));
        return new WaitResult<>(response.getReadyObjectIdsList().stream().map(byId::get).toList(),
                response.getRemainingObjectIdsList().stream().map(byId::get).toList());
    }

    /** Frees the objects in the cluster and releases them from the session (Ray: {@code ray.internal.free} + release). */
    @Override
    public void free(List<ObjectRef<?>> objectRefs, boolean localOnly) {
        ReleaseRequest.Builder request = ReleaseRequest.newBuilder().setFree(true);
        objectRefs.forEach(r -> request.addIds(idOf(r)));
        try {
            connection.blocking().withDeadlineAfter(30, TimeUnit.SECONDS).releaseObject(request.build());
        } catch (StatusRuntimeException e) {
            throw failed("free", e);
        }
    }

    // ------------------------------------------------------------------ tasks

    @Override
    public ObjectRef call(RayFunc func, Object[] args, CallOptions options) {
        ClientTask.Builder task = ClientTask.newBuilder().setType(ClientTask.RemoteExecType.FUNCTION).setFunction(FunctionDescriptors.of(func));
        addArgs(task, args);
        if (options != null) {
            task.setSerializedOptions(serializer.serialize(options).toByteString()).setRuntimeEnv(resolvedEnv(RuntimeEnvOptions.of(options)));
        }
        ClientTaskTicket ticket = schedule(task.build(), "Scheduling " + task.getFunction().getClassName() + "." + task.getFunction().getFunctionName());
        return new ClientObjectRef<>(ticket.getReturnIds(0), ticket.getOwner());
    }

    // ------------------------------------------------------------------ actors (Ray's ACTOR, METHOD, NAMED_ACTOR tasks)

    /** Creates the actor from the session's driver; the handle is Stingray's own, so it can be passed to tasks and actors. */
    @Override
    @SuppressWarnings("unchecked")
    public <T> ActorHandle<T> createActor(RayFunc actorFactoryFunc, Object[] args, ActorCreationOptions options) {
        ClientTask.Builder task = ClientTask.newBuilder().setType(ClientTask.RemoteExecType.ACTOR).setFunction(FunctionDescriptors.of(actorFactoryFunc));
        addArgs(task, args);
        if (options != null) {
            task.setSerializedOptions(serializer.serialize(options).toByteString()).setRuntimeEnv(resolvedEnv(options.serializedRuntimeEnv));
        }
        ClientTaskTicket ticket = schedule(task.build(), "Creating actor " + task.getFunction().getClassName());
        return (ActorHandle<T>) handleOf(ticket);
    }

    @Override
    public ObjectRef callActor(ActorHandle<?> actor, RayFunc func, Object[] args, CallOptions options) {
        ClientTask.Builder task = ClientTask.newBuilder().setType(ClientTask.RemoteExecType.METHOD).setFunction(FunctionDescriptors.of(func))
                .setActor(serializer.serialize(actor).toByteString());
        addArgs(task, args);
        if (options != null) {
            task.setSerializedOptions(serializer.serialize(options).toByteString());
        }
        ClientTaskTicket ticket = schedule(task.build(), "Calling " + task.getFunction().getClassName() + "." + task.getFunction().getFunctionName());
        return new ClientObjectRef<>(ticket.getReturnIds(0), ticket.getOwner());
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T extends BaseActorHandle> Optional<T> getActor(String name, String actorNamespace) {
        ClientTask task = ClientTask.newBuilder().setType(ClientTask.RemoteExecType.NAMED_ACTOR).setName(name)
                .setNamespace(actorNamespace == null ? "" : actorNamespace).build();
        ClientTaskTicket ticket;
        try {
            ticket = connection.blocking().withDeadlineAfter(60, TimeUnit.SECONDS).schedule(task);
        } catch (StatusRuntimeException e) {
            throw failed("look up actor '" + name + "' on", e);
        }
        if (!ticket.getValid() && !ticket.getInvalidArgument()) {
            return Optional.empty();
        }
        return Optional.of((T) handleOf(requireValid(ticket, "Looking up actor '" + name + "'")));
    }

    @Override
    public void killActor(BaseActorHandle actor, boolean noRestart) {
        try {
            connection.blocking().withDeadlineAfter(60, TimeUnit.SECONDS).terminate(TerminateRequest.newBuilder()
                    .setActor(ActorTerminate.newBuilder().setId(ByteString.copyFrom(actor.getId().getBytes())).setNoRestart(noRestart)).build());
        } catch (StatusRuntimeException e) {
            throw failed("kill actor " + actor.getId() + " on", e);
        }
    }

    @Override
    public void exitActor() {
        throw new IllegalStateException("Ray.exitActor() ends the actor it is called in; a Ray Client driver is not an actor");
    }

    @Override
    public <T extends BaseActorHandle> T getActorHandle(ActorId actorId) {
        throw new UnsupportedOperationException("Handles by actor id are not available through ray:// (Ray Client has no such call either);"
                + " keep the handle Ray.actor(...).remote() returned, or name the actor and use Ray.getActor(name)");
    }

    private ActorHandle<?> handleOf(ClientTaskTicket ticket) {
        Object handle = serializer.deserialize(parseObject(ticket.getActor()));
        if (!(handle instanceof ActorHandle<?> actor)) {
            throw new RayException("The Ray Client server at ray://" + connection.address() + " sent no actor handle");
        }
        return actor;
    }

    // ------------------------------------------------------------------ placement groups

    @Override
    public PlacementGroup createPlacementGroup(PlacementGroupCreationOptions creationOptions) {
        return placementGroups(ClientPlacementGroupRequest.newBuilder().setCreate(serializer.serialize(creationOptions).toByteString()).build(),
                "create a placement group on").get(0);
    }

    @Override
    public PlacementGroup getPlacementGroup(PlacementGroupId id) {
        return first(placementGroups(ClientPlacementGroupRequest.newBuilder().setGet(ByteString.copyFrom(id.getBytes())).build(),
                "look up placement group " + id + " on"));
    }

    @Override
    public PlacementGroup getPlacementGroup(String name, String groupNamespace) {
        return first(placementGroups(ClientPlacementGroupRequest.newBuilder().setGetNamed(ClientPlacementGroupRequest.Named.newBuilder()
                .setName(name).setNamespace(groupNamespace == null ? "" : groupNamespace)).build(), "look up placement group '" + name + "' on"));
    }

    @Override
    public List<PlacementGroup> getAllPlacementGroups() {
        return placementGroups(ClientPlacementGroupRequest.newBuilder().setGetAll(true).build(), "list the placement groups of");
    }

    @Override
    public void removePlacementGroup(PlacementGroupId id) {
        placementGroups(ClientPlacementGroupRequest.newBuilder().setRemove(ByteString.copyFrom(id.getBytes())).build(),
                "remove placement group " + id + " on");
    }

    @Override
    public boolean waitPlacementGroupReady(PlacementGroupId id, int timeoutSeconds) {
        try {
            return connection.blocking().withDeadlineAfter(Math.max(0, timeoutSeconds) + 60L, TimeUnit.SECONDS)
                    .placementGroup(ClientPlacementGroupRequest.newBuilder().setWait(ClientPlacementGroupRequest.Wait.newBuilder()
                            .setId(ByteString.copyFrom(id.getBytes())).setTimeoutSeconds(timeoutSeconds)).build()).getReady();
        } catch (StatusRuntimeException e) {
            throw argumentOrFailed("wait for placement group " + id + " on", e);
        }
    }

    private List<PlacementGroup> placementGroups(ClientPlacementGroupRequest request, String what) {
        try {
            return connection.blocking().withDeadlineAfter(60, TimeUnit.SECONDS).placementGroup(request).getGroupsList().stream()
                    .map(bytes -> (PlacementGroup) serializer.deserialize(parseObject(bytes))).toList();
        } catch (StatusRuntimeException e) {
            throw argumentOrFailed(what, e);
        }
    }

    private static PlacementGroup first(List<PlacementGroup> groups) {
        return groups.isEmpty() ? null : groups.get(0);
    }

    /** A request the server refused as INVALID_ARGUMENT is the caller's IllegalArgumentException, as in the cluster. */
    private RuntimeException argumentOrFailed(String what, StatusRuntimeException e) {
        if (e.getStatus().getCode() == io.grpc.Status.Code.INVALID_ARGUMENT) {
            return new IllegalArgumentException(e.getStatus().getDescription(), e);
        }
        return failed(what, e);
    }

    // ------------------------------------------------------------------ helpers of the task calls

    private void addArgs(ClientTask.Builder task, Object[] args) {
        for (Object arg : args) {
            if (arg instanceof ClientObjectRef<?> ref) {
                task.addArgs(ClientArg.newBuilder().setReferenceId(ref.id()));
            } else if (arg instanceof ObjectRef<?>) {
                throw new IllegalArgumentException("Task argument " + arg + " is not a ref of this Ray Client session");
            } else {
                task.addArgs(ClientArg.newBuilder().setInlineValue(serializer.serialize(arg).toByteString()));
            }
        }
    }

    /** A task's or actor's runtime env with its local java_jars uploaded from this machine; "" for none. */
    private String resolvedEnv(String requested) {
        return requested == null || requested.isBlank() ? "" : packager.resolve(RuntimeEnvSpec.parse(requested));
    }

    private ClientTaskTicket schedule(ClientTask task, String what) {
        ClientTaskTicket ticket;
        try {
            ticket = connection.blocking().withDeadlineAfter(60, TimeUnit.SECONDS).schedule(task);
        } catch (StatusRuntimeException e) {
            throw failed("schedule a task on", e);
        }
        return requireValid(ticket, what);
    }

    private ClientTaskTicket requireValid(ClientTaskTicket ticket, String what) {
        if (ticket.getValid()) {
            return ticket;
        }
        if (ticket.getInvalidArgument()) {
            throw new IllegalArgumentException(ticket.getError());
        }
        throw new RayException(what + " failed on ray://" + connection.address() + ": " + ticket.getError());
    }

    private RayObject parseObject(ByteString bytes) {
        try {
            return RayObject.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new RayException("Corrupt value from ray://" + connection.address() + " (" + bytes.size() + " bytes)", e);
        }
    }

    private static ByteString idOf(ObjectRef<?> ref) {
        if (ref instanceof ClientObjectRef<?> client) {
            return client.id();
        }
        throw new IllegalArgumentException(ref + " is not a ref of this Ray Client session (" + ref.getClass().getName() + ")");
    }

    private <T> T await(CompletableFuture<T> reply, String what) {
        try {
            return reply.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RayException("Interrupted during " + what + " on ray://" + connection.address());
        } catch (ExecutionException e) {
            if (e.getCause() instanceof StatusRuntimeException s) {
                throw failed(what, s);
            }
            throw new RayException(what + " failed on ray://" + connection.address() + ": " + e.getCause(), e.getCause());
        }
    }

    private RayException failed(String what, StatusRuntimeException e) {
        return new RayException("Could not " + what + " the Ray Client server at ray://" + connection.address() + ": "
                + e.getStatus().getCode() + " " + e.getStatus().getDescription(), e);
    }

    private static <T> StreamObserver<T> responseTo(CompletableFuture<T> future) {
        return new StreamObserver<>() {
            @Override
            public void onNext(T value) {
                future.complete(value);
            }

            @Override
            public void onError(Throwable t) {
                future.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {
                future.completeExceptionally(new IllegalStateException("the server sent no reply"));
            }
        };
    }

    @Override
    public RuntimeContext getRuntimeContext() {
        return new ClientRuntimeContext(jobId, namespace, nodeId, () -> {
            try {
                return connection.blocking().withDeadlineAfter(30, TimeUnit.SECONDS).clusterInfo(dev.stingray.proto.client.ClusterInfoRequest.newBuilder()
                        .setType(dev.stingray.proto.client.ClusterInfoType.TypeEnum.NODES).build()).getJson();
            } catch (StatusRuntimeException e) {
                throw failed("list the nodes of", e);
            }
        });
    }

    @Override
    public String getNamespace() {
        return namespace;
    }

    @Override
    public UniqueId getCurrentNodeId() {
        return nodeId;
    }

}
