package dev.stingray.runtime;

import com.google.protobuf.ByteString;
import dev.stingray.common.gcs.GcsClient;
import dev.stingray.common.id.JobId;
import dev.stingray.common.id.NodeId;
import dev.stingray.proto.Address;
import dev.stingray.proto.JavaFunctionDescriptor;
import dev.stingray.proto.NodeManagerServiceGrpc;
import dev.stingray.proto.RegisterWorkerRequest;
import dev.stingray.runtime.cluster.LocalCluster;
import dev.stingray.runtime.config.RayConfig;
import dev.stingray.runtime.object.ObjectRefImpl;
import dev.stingray.runtime.task.FunctionDescriptors;
import io.ray.api.ObjectRef;
import io.ray.api.BaseActorHandle;
import io.ray.api.id.ActorId;
import io.ray.api.options.ActorCreationOptions;
import io.ray.api.options.ActorLifetime;
import dev.stingray.proto.ActorCreationTaskSpec;
import dev.stingray.proto.ActorTableData;
import dev.stingray.proto.GetActorInfoRequest;
import dev.stingray.proto.GetNamedActorInfoRequest;
import dev.stingray.runtime.actor.ActorHandleImpl;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.Optional;
import dev.stingray.common.resources.BundleResources;
import dev.stingray.common.runtimeenv.RuntimeEnvSpec;
import dev.stingray.runtime.runtimeenv.RuntimeEnvOptions;
import dev.stingray.runtime.runtimeenv.DriverClassPath;
import dev.stingray.runtime.runtimeenv.RuntimeEnvPackager;
import dev.stingray.proto.CreatePlacementGroupRequest;
import dev.stingray.proto.GetAllPlacementGroupRequest;
import dev.stingray.proto.GetNamedPlacementGroupRequest;
import dev.stingray.proto.GetPlacementGroupRequest;
import dev.stingray.proto.PlacementGroupTableData;
import dev.stingray.proto.RemovePlacementGroupRequest;
import dev.stingray.proto.WaitPlacementGroupUntilReadyRequest;
import dev.stingray.runtime.placementgroup.PlacementGroupImpl;
import io.ray.api.id.PlacementGroupId;
import io.ray.api.options.PlacementGroupCreationOptions;
import io.ray.api.placementgroup.PlacementGroup;
import io.ray.api.WaitResult;
import io.ray.api.function.RayFunc;
import io.ray.api.id.UniqueId;
import io.ray.api.options.CallOptions;
import io.ray.api.runtime.RayRuntime;
import io.ray.api.runtimecontext.RuntimeContext;
import io.ray.api.runtimecontext.ResourceValue;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Stingray's {@link RayRuntime}: a driver (local cluster, or an in-cluster driver at {@code host:port})
 * or a worker started by a raylet. Objects and normal tasks are served by the process's
 * {@link CoreWorker}; the job is recorded in the GCS job table. Actors are created through the GCS and
 * called directly; placement groups are reserved by the GCS on raylets; runtime environments
 * ({@code env_vars}, {@code java_jars}, {@code jvm_options}) travel in task specs, their jars uploaded once
 * by {@link RuntimeEnvPackager}. Client mode ({@code ray://}) is
 * {@link dev.stingray.runtime.client.ClientRuntime}.
 */
public final class StingrayRuntime extends BaseRayRuntime {

    /** Ray's default {@code max_retries} of normal tasks. */
    static final int DEFAULT_MAX_RETRIES = 3;

    private static volatile StingrayRuntime current;

    private final RayConfig config;
    private final LocalCluster localCluster;
    private final GcsClient gcs;
    private final CoreWorker worker;
    private final String namespace;
    private final DriverLogPrinter logPrinter;
    private final RuntimeEnvPackager packager;
    /** The env tasks run in unless they say otherwise: the job's (drivers) or the worker's own (nested tasks). */
    private final RuntimeEnvSpec baseRuntimeEnv;
    /** Its canonical JSON, what every task without an env of its own carries. */
    private final String baseRuntimeEnvJson;

    private StingrayRuntime(RayConfig config, LocalCluster localCluster, GcsClient gcs, CoreWorker worker, String namespace,
            RuntimeEnvPackager packager, String baseRuntimeEnv) {
        this(config, localCluster, gcs, worker, namespace, packager, baseRuntimeEnv,
                !config.isWorker() && Boolean.parseBoolean(System.getProperty("ray.log-to-driver", "true")));
    }

    private StingrayRuntime(RayConfig config, LocalCluster localCluster, GcsClient gcs, CoreWorker worker, String namespace,
            RuntimeEnvPackager packager, String baseRuntimeEnv, boolean printWorkerLogs) {
        this.packager = packager;
        this.baseRuntimeEnv = RuntimeEnvSpec.parse(baseRuntimeEnv);
        this.baseRuntimeEnvJson = this.baseRuntimeEnv.toJson();
        this.config = config;
        this.localCluster = localCluster;
        this.gcs = gcs;
        this.worker = worker;
        this.namespace = namespace;
        this.logPrinter = printWorkerLogs ? new DriverLogPrinter(gcs, worker.jobId().hex(), System.out, System.err) : null;
    }

    /**
     * The runtime of a driver hosted for someone else: the Ray Client server's session of one client. It is not this
     * process's {@code Ray} runtime ({@link #current()}), prints no worker output here (the client streams it), and its
     * {@link #shutdown()} leaves the job to the host.
     *
     * @param jobRuntimeEnv the job's runtime env, canonical JSON with packages uploaded ("" for none)
     */
    public static StingrayRuntime hosting(GcsClient gcs, DriverCoreWorker driver, String jobRuntimeEnv) {
        RayConfig config = RayConfig.from(new java.util.Properties(), Map.of());
        return new StingrayRuntime(config, null, gcs, driver.worker(), driver.namespace(), new RuntimeEnvPackager(gcs), jobRuntimeEnv, false);
    }

    /** The runtime of this process; {@link ObjectRefImpl#get()} goes through it. */
    public static StingrayRuntime current() {
        StingrayRuntime r = current;
        if (r == null) {
            throw new IllegalStateException("Ray is not initialized in this process; call Ray.init() first");
        }
        return r;
    }

    public static StingrayRuntime start(RayConfig config) {
        if (config.isClientMode()) {
            // Ray.init() reaches client mode through DefaultRayRuntimeFactory, which builds a ClientRuntime instead.
            throw new IllegalArgumentException("ray.address=" + config.address() + " is a Ray Client address: connect with "
                    + "dev.stingray.runtime.client.ClientRuntime.connect(config) (Ray.init() does this), not as an in-cluster driver");
        }
        StingrayRuntime runtime = config.isWorker() ? startWorker(config) : startDriver(config);
        current = runtime;
        return runtime;
    }

    private static StingrayRuntime startDriver(RayConfig config) {
        LocalCluster cluster = config.startsLocalCluster() ? LocalCluster.start(config.headArgs()) : null;
        String gcsAddress = cluster != null ? cluster.gcsAddress() : config.address();
        GcsClient gcs = new GcsClient(gcsAddress, Duration.ofSeconds(10));
        try {
            String ip = System.getProperty("ray.node-ip", "127.0.0.1");
            requireSameVersion(gcs);
            RuntimeEnvPackager packager = new RuntimeEnvPackager(gcs);
            // Ray Java's ray.job.runtime-env: the job's default env, its jars uploaded once.
            String jobEnv = packager.resolve(RuntimeEnvSpec.parse(System.getProperty("ray.job.runtime-env", "")));
            DriverCoreWorker driver = DriverCoreWorker.start(gcs, new DriverCoreWorker.JobSpec(ip, config.namespace(),
                    jobCodeSearchPath(config, gcs, packager, ip), config.jvmOptions(), ProcessHandle.current().pid(),
                    ProcessHandle.current().info().commandLine().orElse("java"), jobEnv));
            return new StingrayRuntime(config, cluster, gcs, driver.worker(), driver.namespace(), packager, jobEnv);
        } catch (RuntimeException e) {
            gcs.close();
            if (cluster != null) {
                cluster.close();
            }
            throw e;
        }
    }

    /** A driver runs only against a cluster of its own version: the GCS's service record says which that is. */
    private static void requireSameVersion(GcsClient gcs) {
        new dev.stingray.common.discovery.ServiceRegistry(gcs).findAny(dev.stingray.common.discovery.ServiceNames.GCS_SERVER)
                .flatMap(gcsRecord -> dev.stingray.common.version.StingrayVersion.mismatch(dev.stingray.common.version.StingrayVersion.current(),
                        gcsRecord.version(), gcs.address()))
                .ifPresent(message -> {
                    throw new IllegalStateException(message);
                });
    }

    /**
     * The job's code search path: {@code ray.job.code-search-path} as given; otherwise this driver's own class-path
     * entries ({@link DriverClassPath}) — as paths when every alive node is at the driver's address (they see the same
     * files), else shipped to the GCS as packages ({@link RuntimeEnvPackager#ship}) that every worker of the job loads.
     */
    private static List<String> jobCodeSearchPath(RayConfig config, GcsClient gcs, RuntimeEnvPackager packager, String ip) {
        if (config.codeSearchPathGiven()) {
            return config.codeSearchPath();
        }
        List<java.nio.file.Path> own = DriverClassPath.userEntries(config.codeSearchPath());
        boolean sameMachine = gcs.getAllNodeInfo().stream().filter(n -> n.getState() == dev.stingray.proto.GcsNodeInfo.GcsNodeState.ALIVE)
                .allMatch(n -> n.getNodeManagerAddress().equals(ip));
        if (sameMachine) {
            return own.stream().map(java.nio.file.Path::toString).toList();
        }
        RuntimeEnvPackager.Shipped shipped = packager.ship(own);
        System.err.println("Stingray: shipped the job's code to the cluster at " + gcs.address() + ": " + shipped.describe());
        return shipped.uris();
    }

    private static StingrayRuntime startWorker(RayConfig config) {
        RayConfig.WorkerSettings s = config.worker();
        GcsClient gcs = new GcsClient(s.gcsAddress(), Duration.ofSeconds(10));
        String[] raylet = s.rayletAddress().split(":");
        Address rayletAddress = Address.newBuilder().setIpAddress(raylet[0]).setPort(Integer.parseInt(raylet[1])).build();
        ByteString workerId = ByteString.copyFrom(java.util.HexFormat.of().parseHex(s.workerIdHex()));
        CoreWorker worker = new CoreWorker(JobId.fromHex(s.jobIdHex()), NodeId.fromHex(s.nodeIdHex()), workerId, s.nodeIp(), rayletAddress,
                gcs, config.codeSearchPath(), config.jvmOptions(), true, () -> new Thread(() -> System.exit(0), "worker-exit").start());
        return new StingrayRuntime(config, null, gcs, worker, config.namespace(), new RuntimeEnvPackager(gcs),
                System.getProperty("ray.worker.runtime-env", ""));
    }

    /**
     * Announces this worker to its raylet (Ray: the worker's RegisterClient), which may push tasks from then
     * on; so the worker's {@code WorkerMain} calls it only after {@code Ray.init()} has returned and tasks
     * can use the {@code Ray} API.
     *
     * @throws IllegalStateException in a driver
     */
    public void registerWithRaylet() {
        RayConfig.WorkerSettings s = config.worker();
        if (s == null) {
            throw new IllegalStateException("Only workers started by a raylet register with it; this process is a driver");
        }
        register(s.rayletAddress(), RegisterWorkerRequest.newBuilder().setWorkerId(worker.workerId())
                .setPid((int) ProcessHandle.current().pid()).setPort(worker.address().getPort()).setJobId(worker.jobId().bytes()).build());
    }

    /**
     * Tells the raylet that this warm worker (started before any job needed it) has initialized once and now waits
     * for its job on standard input: a registration without a job or a port. It registers again, as every worker
     * does, once it serves the job.
     */
    public static void announceWarmWorker(String rayletAddress, String workerIdHex) {
        register(rayletAddress, RegisterWorkerRequest.newBuilder()
                .setWorkerId(ByteString.copyFrom(java.util.HexFormat.of().parseHex(workerIdHex)))
                .setPid((int) ProcessHandle.current().pid()).build());
    }

    private static void register(String rayletAddress, RegisterWorkerRequest request) {
        var channel = dev.stingray.common.rpc.GrpcChannels.forAddress(rayletAddress);
        try {
            NodeManagerServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, java.util.concurrent.TimeUnit.SECONDS).registerWorker(request);
        } finally {
            dev.stingray.common.rpc.GrpcChannels.close(channel);
        }
    }

    public CoreWorker coreWorker() {
        return worker;
    }

    @Override
    public void shutdown() {
        if (!config.isWorker()) {
            DriverCoreWorker.markJobFinished(gcs, worker.jobId());
        }
        if (logPrinter != null) {
            logPrinter.close();
        }
        worker.close();
        gcs.close();
        if (localCluster != null) {
            localCluster.close();
        }
        if (current == this) {
            current = null;
        }
    }

    @Override
    public <T> ObjectRef<T> put(T obj) {
        return worker.put(obj);
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T get(ObjectRef<T> objectRef) {
        return (T) worker.getValue((ObjectRefImpl<?>) objectRef);
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> List<T> get(List<ObjectRef<T>> objectRefs) {
        return (List<T>) worker.getValues(objectRefs, -1);
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T get(ObjectRef<T> objectRef, long timeoutMs) {
        return (T) worker.getValue((ObjectRefImpl<?>) objectRef, timeoutMs);
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> List<T> get(List<ObjectRef<T>> objectRefs, long timeoutMs) {
        return (List<T>) worker.getValues(objectRefs, timeoutMs);
    }

    @Override
    public <T> WaitResult<T> wait(List<ObjectRef<T>> waitList, int numReturns, int timeoutMs, boolean fetchLocal) {
        List<List<ObjectRef<T>>> result = worker.waitFor(waitList, numReturns, timeoutMs);
        return new WaitResult<>(result.get(0), result.get(1));
    }

    @Override
    public void free(List<ObjectRef<?>> objectRefs, boolean localOnly) {
        worker.free(objectRefs);
    }

    @Override
    public ObjectRef call(RayFunc func, Object[] args, CallOptions options) {
        return call(FunctionDescriptors.of(func), args, options, RuntimeEnvOptions.of(options));
    }

    /**
     * Submits a normal task by its descriptor: {@link #call(RayFunc, Object[], CallOptions)} for callers that hold no
     * lambda (the Ray Client server). Arguments may be {@link dev.stingray.runtime.object.SerializedValue}s.
     *
     * @param runtimeEnv the env the task asks for (serialized), "" for the job's
     */
    public ObjectRefImpl<?> call(JavaFunctionDescriptor function, Object[] args, CallOptions options, String runtimeEnv) {
        Map<String, Double> resources = resourcesOf(options == null ? null : options.resources, true);
        if (options != null) {
            resources = placedIn(resources, options.group, options.bundleIndex);
        }
        return worker.submitTask(function, args, resources, options == null ? null : options.name,
                DEFAULT_MAX_RETRIES, runtimeEnvOf(runtimeEnv));
    }

    /**
     * The env a task or actor runs in: its own fields over the job's (or, on a worker, over the env the
     * worker runs in), local jars uploaded; canonical JSON, "" for none.
     */
    private String runtimeEnvOf(String requested) {
        if (requested == null || requested.isBlank()) {
            return baseRuntimeEnvJson;
        }
        return packager.resolve(RuntimeEnvSpec.parse(requested).over(baseRuntimeEnv));
    }

    /**
     * The demand of work placed in a bundle ({@code bundleIndex}, -1 = any bundle of the group): its
     * resources renamed to the bundle's ({@link BundleResources#demandInBundle}); unchanged without a group.
     */
    private static Map<String, Double> placedIn(Map<String, Double> resources, PlacementGroup group, int bundleIndex) {
        if (group == null) {
            return resources;
        }
        int bundles = group.getBundles().size();
        if (bundleIndex < -1 || bundleIndex >= bundles) {
            throw new IllegalArgumentException("Invalid bundle index " + bundleIndex + ": placement group " + group.getId() + " has "
                    + bundles + " bundle(s), so the index must be between 0 and " + (bundles - 1) + ", or -1 for any bundle");
        }
        return BundleResources.demandInBundle(ByteString.copyFrom(group.getId().getBytes()), bundleIndex, resources);
    }

    @Override
    public PlacementGroup createPlacementGroup(PlacementGroupCreationOptions options) {
        if (options == null || options.bundles == null || options.bundles.isEmpty()) {
            throw new IllegalArgumentException("A placement group needs at least one bundle");
        }
        if (options.strategy == null || options.strategy == io.ray.api.placementgroup.PlacementStrategy.UNRECOGNIZED) {
            throw new IllegalArgumentException("A placement group needs a strategy: PACK, SPREAD, STRICT_PACK or STRICT_SPREAD");
        }
        // Ray's PlacementGroupID: 14 unique bytes, then the job id.
        ByteString id = CoreWorker.randomId(14).concat(worker.jobId().bytes());
        String name = options.name == null ? "" : options.name;
        PlacementGroupTableData.Builder spec = PlacementGroupTableData.newBuilder()
                .setPlacementGroupId(id)
                .setName(name)
                .setStrategy(dev.stingray.proto.PlacementStrategy.valueOf(options.strategy.name()))
                .setCreatorJobId(worker.jobId().bytes())
                .setRayNamespace(namespace);
        options.bundles.forEach(b -> spec.addBundles(dev.stingray.proto.Bundle.newBuilder().putAllUnitResources(b)));
        try {
            gcs.placementGroups().createPlacementGroup(CreatePlacementGroupRequest.newBuilder().setPlacementGroupSpec(spec).build());
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == Status.Code.ALREADY_EXISTS || e.getStatus().getCode() == Status.Code.INVALID_ARGUMENT) {
                throw new IllegalArgumentException(e.getStatus().getDescription(), e);
            }
            throw e;
        }
        return new PlacementGroupImpl(id, name, options.bundles, options.strategy, io.ray.api.placementgroup.PlacementGroupState.PENDING);
    }

    @Override
    public PlacementGroup getPlacementGroup(PlacementGroupId id) {
        return placementGroupOrNull(() -> gcs.placementGroups().getPlacementGroup(GetPlacementGroupRequest.newBuilder()
                .setPlacementGroupId(ByteString.copyFrom(id.getBytes())).build()).getPlacementGroupTableData());
    }

    @Override
    public PlacementGroup getPlacementGroup(String name, String groupNamespace) {
        return placementGroupOrNull(() -> gcs.placementGroups().getNamedPlacementGroup(GetNamedPlacementGroupRequest.newBuilder()
                .setName(name).setRayNamespace(groupNamespace == null ? namespace : groupNamespace).build()).getPlacementGroupTableData());
    }

    private static PlacementGroup placementGroupOrNull(java.util.function.Supplier<PlacementGroupTableData> lookUp) {
        try {
            return PlacementGroupImpl.of(lookUp.get());
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
                return null;
            }
            throw e;
        }
    }

    @Override
    public List<PlacementGroup> getAllPlacementGroups() {
        return gcs.placementGroups().getAllPlacementGroup(GetAllPlacementGroupRequest.getDefaultInstance()).getPlacementGroupTableDataList()
                .stream().map(g -> (PlacementGroup) PlacementGroupImpl.of(g)).toList();
    }

    @Override
    public void removePlacementGroup(PlacementGroupId id) {
        try {
            gcs.placementGroups().removePlacementGroup(RemovePlacementGroupRequest.newBuilder()
                    .setPlacementGroupId(ByteString.copyFrom(id.getBytes())).build());
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
                throw new IllegalArgumentException(e.getStatus().getDescription(), e);
            }
            throw e;
        }
    }

    /** Waits up to {@code timeoutSeconds} for the group to be CREATED; false on timeout or when it was removed. */
    @Override
    public boolean waitPlacementGroupReady(PlacementGroupId id, int timeoutSeconds) {
        try {
            gcs.placementGroupsNoDeadline().withDeadlineAfter(Math.max(0, timeoutSeconds), java.util.concurrent.TimeUnit.SECONDS)
                    .waitPlacementGroupUntilReady(WaitPlacementGroupUntilReadyRequest.newBuilder()
                            .setPlacementGroupId(ByteString.copyFrom(id.getBytes())).build());
            return true;
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == Status.Code.DEADLINE_EXCEEDED || e.getStatus().getCode() == Status.Code.NOT_FOUND) {
                return false;
            }
            throw e;
        }
    }

    /**
     * The resources a task or actor asks for: zero amounts dropped, negative ones rejected. A normal task
     * takes 1 CPU unless it says otherwise; an actor takes none (Ray: actors hold no CPU while they live).
     */
    private static Map<String, Double> resourcesOf(Map<String, Double> requested, boolean defaultOneCpu) {
        Map<String, Double> resources = new HashMap<>();
        if (requested != null) {
            resources.putAll(requested);
        }
        if (defaultOneCpu) {
            resources.putIfAbsent("CPU", 1.0);
        }
        resources.values().removeIf(v -> v == 0);
        for (Map.Entry<String, Double> r : resources.entrySet()) {
            if (r.getValue() < 0) {
                throw new IllegalArgumentException("Resource " + r.getKey() + " must not be negative, got " + r.getValue());
            }
        }
        return resources;
    }

    @Override
    public <T> io.ray.api.ActorHandle<T> createActor(RayFunc actorFactoryFunc, Object[] args, ActorCreationOptions options) {
        return createActor(FunctionDescriptors.of(actorFactoryFunc), args, options, options == null ? "" : options.serializedRuntimeEnv);
    }

    /**
     * Creates an actor by its constructor's descriptor ({@link #createActor(RayFunc, Object[], ActorCreationOptions)}
     * for callers that hold no lambda: the Ray Client server).
     *
     * @param runtimeEnv the env the actor asks for (serialized), "" for the job's
     */
    public <T> io.ray.api.ActorHandle<T> createActor(JavaFunctionDescriptor constructor, Object[] args, ActorCreationOptions options,
            String runtimeEnv) {
        ActorCreationOptions o = options != null ? options : new ActorCreationOptions.Builder().build();
        if (o.concurrencyGroups != null && !o.concurrencyGroups.isEmpty()) {
            throw notYet("Concurrency groups");
        }
        if (o.isAsync) {
            throw notYet("Async actors");
        }
        if (o.maxPendingCalls != -1) {
            throw notYet("Limits on pending actor calls (setMaxPendingCalls)");
        }
        if (o.maxRestarts < -1) {
            throw new IllegalArgumentException("maxRestarts must be -1 (infinite) or at least 0, got " + o.maxRestarts);
        }
        if (o.maxTaskRetries < -1) {
            throw new IllegalArgumentException("maxTaskRetries must be -1 (infinite) or at least 0, got " + o.maxTaskRetries);
        }
        var spec = ActorCreationTaskSpec.newBuilder()
                .setMaxActorRestarts(o.maxRestarts)
                .setMaxTaskRetries(o.maxTaskRetries)
                .setMaxConcurrency(o.maxConcurrency)
                .setIsDetached(o.lifetime == ActorLifetime.DETACHED)
                .setName(o.name == null ? "" : o.name)
                .setRayNamespace(o.namespace == null ? namespace : o.namespace)
                .addAllJvmOptions(o.jvmOptions == null ? List.of() : o.jvmOptions)
                .build();
        return worker.createActor(constructor, args,
                placedIn(resourcesOf(o.resources, false), o.group, o.bundleIndex), spec, runtimeEnvOf(runtimeEnv));
    }

    @Override
    public ObjectRef callActor(io.ray.api.ActorHandle<?> actor, RayFunc func, Object[] args, CallOptions options) {
        return callActor(actor, FunctionDescriptors.of(func), args, options);
    }

    /** Calls an actor's method by its descriptor (for the Ray Client server). */
    public ObjectRefImpl<?> callActor(io.ray.api.ActorHandle<?> actor, JavaFunctionDescriptor method, Object[] args, CallOptions options) {
        if (!(actor instanceof ActorHandleImpl<?> handle)) {
            throw new IllegalArgumentException(actor + " is not a handle of a Stingray actor (" + actor.getClass().getName() + ")");
        }
        return worker.submitActorTask(handle, method, args, options == null ? null : options.name);
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T extends BaseActorHandle> Optional<T> getActor(String name, String actorNamespace) {
        try {
            ActorTableData actor = gcs.actors().getNamedActorInfo(GetNamedActorInfoRequest.newBuilder().setName(name)
                    .setRayNamespace(actorNamespace == null ? namespace : actorNamespace).build()).getActorTableData();
            return Optional.of((T) new ActorHandleImpl<>(actor.getActorId(), actor.getMaxTaskRetries()));
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
                return Optional.empty();
            }
            throw e;
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T extends BaseActorHandle> T getActorHandle(ActorId actorId) {
        ActorTableData actor = gcs.actors().getActorInfo(GetActorInfoRequest.newBuilder()
                .setActorId(ByteString.copyFrom(actorId.getBytes())).build()).getActorTableData();
        return (T) new ActorHandleImpl<>(actor.getActorId(), actor.getMaxTaskRetries());
    }

    @Override
    public void killActor(BaseActorHandle actor, boolean noRestart) {
        worker.killActor((ActorHandleImpl<?>) actor, noRestart);
    }

    @Override
    public void exitActor() {
        worker.exitActor();
    }

    /**
     * Ray's {@code getAvailableResourceIds}: what the running task or actor holds, per resource. Whole units
     * get ids 0..n-1 of capacity 1 (the raylet does not pin resource instances, so an id is the unit's
     * position in the grant, not a device number); a fraction is one entry with id 0. Placement-group bundle
     * resources are reported under their original names.
     */
    @Override
    public Map<String, List<ResourceValue>> getAvailableResourceIds() {
        Map<String, List<ResourceValue>> ids = new java.util.TreeMap<>();
        worker.currentTaskResources().forEach((name, amount) -> {
            String plain = BundleResources.originalName(name);
            if (!plain.equals(name) && plain.equals(BundleResources.BUNDLE)) {
                return;
            }
            List<ResourceValue> values = new java.util.ArrayList<>();
            if (amount >= 1 && amount == Math.floor(amount)) {
                for (long i = 0; i < amount; i++) {
                    values.add(resourceValue(i, 1.0));
                }
            } else {
                values.add(resourceValue(0, amount));
            }
            ids.merge(plain, values, (a, b) -> a);
        });
        return ids;
    }

    /** {@code ResourceValue}'s constructor is package-private in ray-api (Ray's native code makes them). */
    private static final java.lang.reflect.Constructor<ResourceValue> RESOURCE_VALUE;

    static {
        try {
            RESOURCE_VALUE = ResourceValue.class.getDeclaredConstructor(long.class, double.class);
            RESOURCE_VALUE.setAccessible(true);
        } catch (NoSuchMethodException e) {
            throw new ExceptionInInitializerError("This ray-api version has no ResourceValue(long, double): " + e);
        }
    }

    private static ResourceValue resourceValue(long id, double capacity) {
        try {
            return RESOURCE_VALUE.newInstance(id, capacity);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("Cannot create io.ray.api.runtimecontext.ResourceValue", e);
        }
    }

    @Override
    public RuntimeContext getRuntimeContext() {
        return new RuntimeContextImpl(worker, gcs, namespace);
    }

    @Override
    public String getNamespace() {
        return namespace;
    }

    @Override
    public UniqueId getCurrentNodeId() {
        return new UniqueId(worker.nodeId().bytes().toByteArray());
    }

}
