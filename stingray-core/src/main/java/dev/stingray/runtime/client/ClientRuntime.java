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
import dev.stingray.runtime.config.RayConfig;
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
 * Actors and placement groups are not supported in client mode, as in {@code StingrayRuntime}. An object
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
    private final ObjectSerializer serializer;
    private final JobId jobId;
    private final String namespace;
    private final UniqueId nodeId;
    /** How often ids whose refs were garbage collected are released from the session. */
    static final long RELEASE_INTERVAL_MS = 100;
    private final java.util.Queue<ByteString> unreferenced = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final Runnable stopCounting;
    private final java.util.concurrent.ScheduledExecutorService releaser;

    private ClientRuntime(ClientConnection connection, InitResponse init) {
        this.connection = connection;
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
            InitRequest init = InitRequest.newBuilder()
                    .setJobConfig(ClientJobConfig.newBuilder().setNamespace(config.namespace()).addAllCodeSearchPath(jobCodeSearchPath(config, connection))
                            .addAllJvmOptions(config.jvmOptions()))
                    .setReconnectGracePeriodS((int) grace.toSeconds())
                    .setClientVersion(StingrayVersion.current())
                    .build();
            ClientRuntime runtime = new ClientRuntime(connection, connection.open(init));
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
    private static List<String> jobCodeSearchPath(RayConfig config, ClientConnection connection) {
        if (config.codeSearchPathGiven()) {
            return config.codeSearchPath();
        }
        RuntimeEnvPackager.Shipped shipped = new RuntimeEnvPackager(packageStore(connection))
                .ship(DriverClassPath.userEntries(config.codeSearchPath()));
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
        for (Object arg : args) {
            if (arg instanceof ClientObjectRef<?> ref) {
                task.addArgs(ClientArg.newBuilder().setReferenceId(ref.id()));
            } else if (arg instanceof ObjectRef<?>) {
                throw new IllegalArgumentException("Task argument " + arg + " is not a ref of this Ray Client session");
            } else {
                task.addArgs(ClientArg.newBuilder().setInlineValue(serializer.serialize(arg).toByteString()));
            }
        }
        if (!dev.stingray.runtime.runtimeenv.RuntimeEnvOptions.of(options).isEmpty()) {
            throw notYet("Runtime environments in Ray Client mode");
        }
        if (options != null && options.group != null) {
            throw notYet("Placement groups in Ray Client mode");
        }
        ClientTaskOptions.Builder taskOptions = ClientTaskOptions.newBuilder();
        if (options != null) {
            if (options.resources != null) {
                options.resources.forEach((name, amount) -> {
                    if (amount < 0) {
                        throw new IllegalArgumentException("Resource " + name + " must not be negative, got " + amount);
                    }
                    taskOptions.putResources(name, amount);
                });
            }
            if (options.name != null) {
                taskOptions.setName(options.name);
            }
        }
        task.setOptions(taskOptions);
        ClientTaskTicket ticket;
        try {
            ticket = connection.blocking().withDeadlineAfter(60, TimeUnit.SECONDS).schedule(task.build());
        } catch (StatusRuntimeException e) {
            throw failed("schedule a task on", e);
        }
        if (!ticket.getValid()) {
            throw new RayException("Scheduling " + task.getFunction().getClassName() + "." + task.getFunction().getFunctionName()
                    + " failed on ray://" + connection.address() + ": " + ticket.getError());
        }
        return new ClientObjectRef<>(ticket.getReturnIds(0), ticket.getOwner());
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
        return new ClientRuntimeContext(jobId, namespace, nodeId);
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
