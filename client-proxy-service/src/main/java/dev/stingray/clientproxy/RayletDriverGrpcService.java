package dev.stingray.clientproxy;

import com.google.protobuf.ByteString;
import dev.stingray.common.gcs.GcsClient;
import dev.stingray.common.rpc.GrpcReplies;
import dev.stingray.proto.InternalKVDelRequest;
import dev.stingray.proto.InternalKVExistsRequest;
import dev.stingray.proto.InternalKVGetRequest;
import dev.stingray.proto.InternalKVKeysRequest;
import dev.stingray.proto.InternalKVPutRequest;
import dev.stingray.proto.client.ClientListNamedActorsRequest;
import dev.stingray.proto.client.ClientTask;
import dev.stingray.proto.client.ClientTaskTicket;
import dev.stingray.proto.client.GetRequest;
import dev.stingray.proto.client.GetResponse;
import dev.stingray.proto.client.HeartbeatRequest;
import dev.stingray.proto.client.HeartbeatResponse;
import dev.stingray.proto.client.InitRequest;
import dev.stingray.proto.client.InitResponse;
import dev.stingray.proto.client.PutRequest;
import dev.stingray.proto.client.PutResponse;
import dev.stingray.proto.client.ReleaseRequest;
import dev.stingray.proto.client.ReleaseResponse;
import dev.stingray.proto.client.TerminateRequest;
import dev.stingray.proto.client.TerminateResponse;
import dev.stingray.proto.client.WaitRequest;
import dev.stingray.proto.client.WaitResponse;
import dev.stingray.proto.client.ClientListNamedActorsResponse;
import dev.stingray.proto.client.ClusterInfoRequest;
import dev.stingray.proto.client.ClusterInfoResponse;
import dev.stingray.proto.client.KVDelRequest;
import dev.stingray.proto.client.KVDelResponse;
import dev.stingray.proto.client.KVExistsRequest;
import dev.stingray.proto.client.KVExistsResponse;
import dev.stingray.proto.client.KVGetRequest;
import dev.stingray.proto.client.KVGetResponse;
import dev.stingray.proto.client.KVListRequest;
import dev.stingray.proto.client.KVListResponse;
import dev.stingray.proto.client.KVPutRequest;
import dev.stingray.proto.client.KVPutResponse;
import dev.stingray.proto.client.RayletDriverGrpc;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The {@code RayletDriver} service of the Ray Client server (Ray: {@code python/ray/util/client/server/server.py::RayletServicer}):
 * internal KV and cluster information, and client mode's sessions, objects and tasks ({@link ClientDataPath}
 * over {@link ClientSessions}).
 *
 * <p>A thin adapter: KV calls go straight to the GCS's internal KV with the client's raw bytes;
 * ClusterInfo is answered by {@link ClusterInfoProvider}. A GCS error reaches the client with the
 * GCS's status code and description; an unreachable GCS becomes UNAVAILABLE naming its address. The
 * proxy itself keeps serving either way. Handlers run on gRPC's executor and block on the GCS for at
 * most the GCS client's deadline.
 */
public final class RayletDriverGrpcService extends RayletDriverGrpc.RayletDriverImplBase {

    private final GcsClient gcs;
    private final ClusterInfoProvider clusterInfo;
    private final String namespace;
    private final ClientSessions sessions;
    private final ClientDataPath dataPath;

    RayletDriverGrpcService(GcsClient gcs, ClusterInfoProvider clusterInfo, String namespace, ClientSessions sessions) {
        this.gcs = gcs;
        this.clusterInfo = clusterInfo;
        this.namespace = namespace;
        this.sessions = sessions;
        this.dataPath = new ClientDataPath(sessions);
    }

    // ---------------------------------------------------------------- client mode: sessions, objects, tasks

    /**
     * Opens the session of the call's {@code client_id}: a driver core worker and a job in the GCS job
     * table. With metadata {@code reconnecting=true} resumes the session instead, or fails NOT_FOUND
     * with Ray's "session that has already been cleaned up" when the grace period is over. A driver
     * that cannot start is answered {@code ok=false} with the reason.
     */
    @Override
    public void init(InitRequest request, StreamObserver<InitResponse> observer) {
        dataPath.init(request, observer);
    }

    /** Client-streaming put: chunks of one serialized RayObject, stored in and owned by the session's driver. */
    @Override
    public StreamObserver<PutRequest> putObject(StreamObserver<PutResponse> observer) {
        return dataPath.put(observer);
    }

    /** The serialized values of the session's objects, as one ClientObjects message in 5 MiB chunks; waits up to timeout_ms. */
    @Override
    public void getObject(GetRequest request, StreamObserver<GetResponse> observer) {
        dataPath.get(request, observer);
    }

    /** Ray.wait over the session's objects. */
    @Override
    public void waitObject(WaitRequest request, StreamObserver<WaitResponse> observer) {
        dataPath.waitFor(request, observer);
    }

    /** Submits a task, creates or looks up an actor, or calls one, from the session's driver; returns are held by the session. */
    @Override
    public void schedule(ClientTask request, StreamObserver<ClientTaskTicket> observer) {
        dataPath.schedule(request, observer);
    }

    /** Ends the session now (objects released, job marked finished), or kills the named actor. */
    @Override
    public void terminate(TerminateRequest request, StreamObserver<TerminateResponse> observer) {
        dataPath.terminate(request, observer);
    }

    /** Creates, looks up, waits for and removes placement groups of the session's job. */
    @Override
    public void placementGroup(dev.stingray.proto.client.ClientPlacementGroupRequest request,
            StreamObserver<dev.stingray.proto.client.ClientPlacementGroupReply> observer) {
        dataPath.placementGroup(request, observer);
    }

    /** Releases (and frees) objects of the session. */
    @Override
    public void releaseObject(ReleaseRequest request, StreamObserver<ReleaseResponse> observer) {
        dataPath.release(request, observer);
    }

    /** Held open by a connected client; its end starts the session's reconnect grace period. */
    @Override
    public StreamObserver<HeartbeatRequest> heartbeat(StreamObserver<HeartbeatResponse> observer) {
        return dataPath.heartbeat(observer);
    }

    /**
     * One kind of cluster information, as {@code RayletServicer.ClusterInfo}: JSON for IS_INITIALIZED,
     * PING, NODES and DASHBOARD_URL, a resource table for the resource queries, the driver's runtime
     * context for RUNTIME_CONTEXT. TIMELINE is UNIMPLEMENTED until tasks emit events.
     */
    @Override
    public void clusterInfo(ClusterInfoRequest request, StreamObserver<ClusterInfoResponse> observer) {
        GrpcReplies.reply(observer, () -> {
            ClusterInfoResponse.Builder reply = ClusterInfoResponse.newBuilder().setType(request.getType());
            switch (request.getType()) {
                // A client reaches this server only when the proxy's "driver" is up.
                case IS_INITIALIZED -> reply.setJson("true");
                case PING -> reply.setJson("{}");
                case NODES -> reply.setJson(fromGcs(clusterInfo::nodesJson));
                case CLUSTER_RESOURCES -> reply.setResourceTable(table(fromGcs(clusterInfo::clusterResources)));
                case AVAILABLE_RESOURCES -> reply.setResourceTable(table(fromGcs(clusterInfo::availableResources)));
                case RUNTIME_CONTEXT -> reply.setRuntimeContext(runtimeContext());
                case DASHBOARD_URL -> reply.setJson(clusterInfo.toJson(Map.of("dashboard_url", fromGcs(clusterInfo::dashboardUrl))));
                case TIMELINE -> throw Status.UNIMPLEMENTED.withDescription(
                        "ClusterInfo TIMELINE is not supported yet: ray.timeline() needs task events, "
                                + "which Stingray's client server does not collect yet").asRuntimeException();
                default -> throw new IllegalArgumentException("Unknown ClusterInfo type " + request.getTypeValue()
                        + ": expected one of IS_INITIALIZED, NODES, CLUSTER_RESOURCES, AVAILABLE_RESOURCES, "
                        + "RUNTIME_CONTEXT, TIMELINE, PING, DASHBOARD_URL");
            }
            return reply.build();
        });
    }

    // Ray: RayletServicer.ClusterInfo RUNTIME_CONTEXT branch. The job and namespace are the caller's
    // session's; without a session job_id stays empty.
    private ClusterInfoResponse.RuntimeContext runtimeContext() {
        var session = sessions.find(ClientIdInterceptor.CLIENT_ID.get());
        ClusterInfoResponse.RuntimeContext.Builder context = ClusterInfoResponse.RuntimeContext.newBuilder();
        session.ifPresent(s -> context.setJobId(s.worker().jobId().bytes()));
        return context
                .setNodeId(fromGcs(clusterInfo::headNodeId).orElse(ByteString.EMPTY))
                .setNamespace(session.map(ClientSession::namespace).orElse(namespace))
                .setRuntimeEnv("{}")
                .setGcsAddress(clusterInfo.gcsAddress())
                .setSessionName(fromGcs(clusterInfo::sessionName))
                .build();
    }

    private static ClusterInfoResponse.ResourceTable table(Map<String, Double> resources) {
        return ClusterInfoResponse.ResourceTable.newBuilder().putAllTable(resources).build();
    }

    /** The value of a key; a missing key is a reply without {@code value} (Ray's client returns None). */
    @Override
    public void kVGet(KVGetRequest request, StreamObserver<KVGetResponse> observer) {
        GrpcReplies.reply(observer, () -> {
            try {
                ByteString value = fromGcs(() -> gcs.kv().internalKVGet(InternalKVGetRequest.newBuilder()
                        .setNamespace(namespaceOf(request.hasNamespace(), request.getNamespace()))
                        .setKey(request.getKey()).build()).getValue());
                return KVGetResponse.newBuilder().setValue(value).build();
            } catch (StatusRuntimeException e) {
                if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
                    return KVGetResponse.getDefaultInstance();
                }
                throw e;
            }
        });
    }

    /**
     * Stores a value. {@code already_exists} is true when the key was there before; with
     * {@code overwrite=false} the old value is then kept.
     */
    @Override
    public void kVPut(KVPutRequest request, StreamObserver<KVPutResponse> observer) {
        GrpcReplies.reply(observer, () -> {
            boolean added = fromGcs(() -> gcs.kv().internalKVPut(InternalKVPutRequest.newBuilder()
                    .setNamespace(namespaceOf(request.hasNamespace(), request.getNamespace()))
                    .setKey(request.getKey())
                    .setValue(request.getValue())
                    .setOverwrite(request.getOverwrite())
                    .build()).getAdded());
            return KVPutResponse.newBuilder().setAlreadyExists(!added).build();
        });
    }

    /** Deletes a key, or every key with the given prefix; replies how many were deleted. */
    @Override
    public void kVDel(KVDelRequest request, StreamObserver<KVDelResponse> observer) {
        GrpcReplies.reply(observer, () -> KVDelResponse.newBuilder()
                .setDeletedNum(fromGcs(() -> gcs.kv().internalKVDel(InternalKVDelRequest.newBuilder()
                        .setNamespace(namespaceOf(request.hasNamespace(), request.getNamespace()))
                        .setKey(request.getKey())
                        .setDelByPrefix(request.getDelByPrefix())
                        .build()).getDeletedNum()))
                .build());
    }

    /** The keys starting with a prefix, without their namespace. */
    @Override
    public void kVList(KVListRequest request, StreamObserver<KVListResponse> observer) {
        GrpcReplies.reply(observer, () -> KVListResponse.newBuilder()
                .addAllKeys(fromGcs(() -> gcs.kv().internalKVKeys(InternalKVKeysRequest.newBuilder()
                        .setNamespace(namespaceOf(request.hasNamespace(), request.getNamespace()))
                        .setPrefix(request.getPrefix())
                        .build()).getResultsList()))
                .build());
    }

    /** Whether a key exists. */
    @Override
    public void kVExists(KVExistsRequest request, StreamObserver<KVExistsResponse> observer) {
        GrpcReplies.reply(observer, () -> KVExistsResponse.newBuilder()
                .setExists(fromGcs(() -> gcs.kv().internalKVExists(InternalKVExistsRequest.newBuilder()
                        .setNamespace(namespaceOf(request.hasNamespace(), request.getNamespace()))
                        .setKey(request.getKey())
                        .build()).getExists()))
                .build());
    }

    /**
     * The live named actors as JSON, from the GCS's {@code ListNamedActors}: {@code [{"name":…, "namespace":…}]}
     * with {@code all_namespaces}, otherwise the names in the proxy's namespace (Ray: {@code list_named_actors}).
     */
    @Override
    public void listNamedActors(ClientListNamedActorsRequest request, StreamObserver<ClientListNamedActorsResponse> observer) {
        GrpcReplies.reply(observer, () -> ClientListNamedActorsResponse.newBuilder()
                .setActorsJson(fromGcs(() -> clusterInfo.namedActorsJson(request.getAllNamespaces(), namespace))).build());
    }

    /** Pins a runtime-env package for a while (the GCS's PinRuntimeEnvURI): a client's uploaded code survives until its job holds it. */
    @Override
    public void pinRuntimeEnvURI(dev.stingray.proto.PinRuntimeEnvURIRequest request, StreamObserver<dev.stingray.proto.PinRuntimeEnvURIReply> observer) {
        GrpcReplies.reply(observer, () -> fromGcs(() -> dev.stingray.proto.RuntimeEnvGcsServiceGrpc.newBlockingStub(gcs.channel())
                .withDeadlineAfter(10, java.util.concurrent.TimeUnit.SECONDS).pinRuntimeEnvURI(request)));
    }

    // Ray's internal_kv with namespace=None uses the empty namespace.
    private static ByteString namespaceOf(boolean present, ByteString namespace) {
        return present ? namespace : ByteString.EMPTY;
    }

    /**
     * Runs one GCS call and translates its failure for the client: unreachable (UNAVAILABLE or a
     * missed deadline) becomes UNAVAILABLE naming the GCS address; any other status passes through
     * with its code and description.
     */
    private <T> T fromGcs(Supplier<T> call) {
        try {
            return call.get();
        } catch (StatusRuntimeException e) {
            Status status = e.getStatus();
            if (status.getCode() == Status.Code.UNAVAILABLE || status.getCode() == Status.Code.DEADLINE_EXCEEDED) {
                throw Status.UNAVAILABLE.withDescription("The GCS at " + gcs.address() + " is unreachable ("
                        + status.getCode() + ": " + status.getDescription() + "). Check that the head node is running, "
                        + "e.g. with `stingray status`, and retry.").withCause(e).asRuntimeException();
            }
            throw Status.fromCode(status.getCode()).withDescription(status.getDescription()).asRuntimeException();
        }
    }
}
