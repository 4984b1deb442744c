package dev.stingray.common.gcs;

import com.google.protobuf.ByteString;
import dev.stingray.common.id.NodeId;
import dev.stingray.common.rpc.GrpcChannels;
import dev.stingray.proto.CheckAliveReply;
import dev.stingray.proto.CheckAliveRequest;
import dev.stingray.proto.GcsNodeInfo;
import dev.stingray.proto.GetAllJobInfoRequest;
import dev.stingray.proto.GetAllNodeInfoRequest;
import dev.stingray.proto.GetClusterIdReply;
import dev.stingray.proto.GetClusterIdRequest;
import dev.stingray.proto.InternalKVDelRequest;
import dev.stingray.proto.InternalKVExistsRequest;
import dev.stingray.proto.InternalKVGcsServiceGrpc;
import dev.stingray.proto.InternalKVGetRequest;
import dev.stingray.proto.InternalKVKeysRequest;
import dev.stingray.proto.InternalKVPutRequest;
import dev.stingray.proto.InternalPubSubGcsServiceGrpc;
import dev.stingray.proto.JobInfoGcsServiceGrpc;
import dev.stingray.proto.JobTableData;
import dev.stingray.proto.NodeDeathInfo;
import dev.stingray.proto.NodeInfoGcsServiceGrpc;
import dev.stingray.proto.NodeResourceInfoGcsServiceGrpc;
import dev.stingray.proto.RegisterNodeRequest;
import dev.stingray.proto.UnregisterNodeRequest;
import dev.stingray.proto.WorkerInfoGcsServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The typed client every process uses to reach the GCS (Ray: {@code gcs_client.h}). One channel,
 * explicit deadlines on every call; gRPC reconnects the channel by itself after a GCS restart.
 *
 * <p>Thread-safe. Calls block the calling thread for at most the configured deadline and throw
 * {@link StatusRuntimeException} on failure (UNAVAILABLE while the GCS is down).
 */
public class GcsClient implements AutoCloseable {

    private final String address;
    private final ManagedChannel channel;
    private final Duration deadline;

    public GcsClient(String address, Duration deadline) {
        this.address = address;
        this.channel = GrpcChannels.forAddress(address);
        this.deadline = deadline;
    }

    public GcsClient(String address) {
        this(address, Duration.ofSeconds(10));
    }

    public String address() {
        return address;
    }

    public ManagedChannel channel() {
        return channel;
    }

    // ------------------------------------------------------------------ stubs with deadlines

    public NodeInfoGcsServiceGrpc.NodeInfoGcsServiceBlockingStub nodeInfo() {
        return NodeInfoGcsServiceGrpc.newBlockingStub(channel).withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS);
    }

    public InternalKVGcsServiceGrpc.InternalKVGcsServiceBlockingStub kv() {
        return InternalKVGcsServiceGrpc.newBlockingStub(channel).withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS);
    }

    public JobInfoGcsServiceGrpc.JobInfoGcsServiceBlockingStub jobs() {
        return JobInfoGcsServiceGrpc.newBlockingStub(channel).withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS);
    }

    public NodeResourceInfoGcsServiceGrpc.NodeResourceInfoGcsServiceBlockingStub resources() {
        return NodeResourceInfoGcsServiceGrpc.newBlockingStub(channel).withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS);
    }

    public WorkerInfoGcsServiceGrpc.WorkerInfoGcsServiceBlockingStub workers() {
        return WorkerInfoGcsServiceGrpc.newBlockingStub(channel).withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS);
    }

    public dev.stingray.proto.ActorInfoGcsServiceGrpc.ActorInfoGcsServiceBlockingStub actors() {
        return dev.stingray.proto.ActorInfoGcsServiceGrpc.newBlockingStub(channel).withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Actor calls without a deadline, for {@code CreateActor}, which answers when the actor is ALIVE. */
    public dev.stingray.proto.ActorInfoGcsServiceGrpc.ActorInfoGcsServiceFutureStub actorsAsync() {
        return dev.stingray.proto.ActorInfoGcsServiceGrpc.newFutureStub(channel);
    }

    public dev.stingray.proto.PlacementGroupInfoGcsServiceGrpc.PlacementGroupInfoGcsServiceBlockingStub placementGroups() {
        return dev.stingray.proto.PlacementGroupInfoGcsServiceGrpc.newBlockingStub(channel).withDeadlineAfter(deadline.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /** Placement-group calls without the default deadline, for {@code WaitPlacementGroupUntilReady} (the caller sets one). */
    public dev.stingray.proto.PlacementGroupInfoGcsServiceGrpc.PlacementGroupInfoGcsServiceBlockingStub placementGroupsNoDeadline() {
        return dev.stingray.proto.PlacementGroupInfoGcsServiceGrpc.newBlockingStub(channel);
    }

    /** Pub/sub without a deadline: long polls set their own. */
    public InternalPubSubGcsServiceGrpc.InternalPubSubGcsServiceBlockingStub pubsub() {
        return InternalPubSubGcsServiceGrpc.newBlockingStub(channel);
    }

    // ------------------------------------------------------------------ conveniences

    public GetClusterIdReply getClusterId() {
        return nodeInfo().getClusterId(GetClusterIdRequest.getDefaultInstance());
    }

    /** Liveness of one node plus the GCS instance id, with a short deadline (used as the GCS ping). */
    public CheckAliveReply checkAlive(List<NodeId> nodes, Duration timeout) {
        CheckAliveRequest.Builder req = CheckAliveRequest.newBuilder();
        nodes.forEach(n -> req.addNodeIds(n.bytes()));
        return NodeInfoGcsServiceGrpc.newBlockingStub(channel)
                .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .checkAlive(req.build());
    }

    public void registerNode(GcsNodeInfo node) {
        nodeInfo().registerNode(RegisterNodeRequest.newBuilder().setNodeInfo(node).build());
    }

    public void unregisterNode(NodeId node, NodeDeathInfo.Reason reason, String message) {
        nodeInfo().unregisterNode(UnregisterNodeRequest.newBuilder()
                .setNodeId(node.bytes())
                .setNodeDeathInfo(NodeDeathInfo.newBuilder().setReason(reason).setReasonMessage(message))
                .build());
    }

    public List<GcsNodeInfo> getAllNodeInfo() {
        return nodeInfo().getAllNodeInfo(GetAllNodeInfoRequest.getDefaultInstance()).getNodeInfoListList();
    }

    public List<JobTableData> getAllJobInfo() {
        return jobs().getAllJobInfo(GetAllJobInfoRequest.getDefaultInstance()).getJobInfoListList();
    }

    /** The value under {@code key} in {@code namespace}, or empty when the key does not exist. */
    public Optional<ByteString> kvGet(String namespace, String key) {
        try {
            return Optional.of(kv().internalKVGet(InternalKVGetRequest.newBuilder()
                    .setNamespace(utf8(namespace)).setKey(utf8(key)).build()).getValue());
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
                return Optional.empty();
            }
            throw e;
        }
    }

    public Optional<String> kvGetString(String namespace, String key) {
        return kvGet(namespace, key).map(ByteString::toStringUtf8);
    }

    /** Ray's {@code InternalKVPut}: returns whether the key was new. */
    public boolean kvPut(String namespace, String key, ByteString value, boolean overwrite) {
        return kv().internalKVPut(InternalKVPutRequest.newBuilder()
                .setNamespace(utf8(namespace)).setKey(utf8(key)).setValue(value).setOverwrite(overwrite).build()).getAdded();
    }

    public boolean kvPut(String namespace, String key, String value, boolean overwrite) {
        return kvPut(namespace, key, utf8(value), overwrite);
    }

    public int kvDel(String namespace, String key, boolean byPrefix) {
        return kv().internalKVDel(InternalKVDelRequest.newBuilder()
                .setNamespace(utf8(namespace)).setKey(utf8(key)).setDelByPrefix(byPrefix).build()).getDeletedNum();
    }

    public boolean kvExists(String namespace, String key) {
        return kv().internalKVExists(InternalKVExistsRequest.newBuilder()
                .setNamespace(utf8(namespace)).setKey(utf8(key)).build()).getExists();
    }

    public List<String> kvKeys(String namespace, String prefix) {
        return kv().internalKVKeys(InternalKVKeysRequest.newBuilder()
                        .setNamespace(utf8(namespace)).setPrefix(utf8(prefix)).build())
                .getResultsList().stream().map(ByteString::toStringUtf8).toList();
    }

    private static ByteString utf8(String s) {
        return ByteString.copyFrom(s == null ? "" : s, StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        GrpcChannels.close(channel);
    }
}
