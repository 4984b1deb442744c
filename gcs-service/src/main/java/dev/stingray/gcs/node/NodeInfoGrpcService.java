package dev.stingray.gcs.node;

import com.google.protobuf.ByteString;
import dev.stingray.common.rpc.GrpcReplies;
import dev.stingray.proto.CheckAliveReply;
import dev.stingray.proto.CheckAliveRequest;
import dev.stingray.proto.GetAllNodeInfoReply;
import dev.stingray.proto.GetAllNodeInfoRequest;
import dev.stingray.proto.GetClusterIdReply;
import dev.stingray.proto.GetClusterIdRequest;
import dev.stingray.proto.NodeInfoGcsServiceGrpc;
import dev.stingray.proto.RegisterNodeReply;
import dev.stingray.proto.RegisterNodeRequest;
import dev.stingray.proto.UnregisterNodeReply;
import dev.stingray.proto.UnregisterNodeRequest;
import io.grpc.stub.StreamObserver;

/** gRPC adapter of {@link GcsNodeManager} ({@code NodeInfoGcsService}). */
public final class NodeInfoGrpcService extends NodeInfoGcsServiceGrpc.NodeInfoGcsServiceImplBase {

    private final GcsNodeManager nodes;
    private final ByteString clusterId;
    private final String sessionName;
    private final ByteString instanceId;
    private final String version;

    public NodeInfoGrpcService(GcsNodeManager nodes, ByteString clusterId, String sessionName, ByteString instanceId, String version) {
        this.nodes = nodes;
        this.clusterId = clusterId;
        this.sessionName = sessionName;
        this.instanceId = instanceId;
        this.version = version;
    }

    /** The cluster id (and session name): the first call any client makes. */
    @Override
    public void getClusterId(GetClusterIdRequest request, StreamObserver<GetClusterIdReply> observer) {
        GrpcReplies.reply(observer, () -> GetClusterIdReply.newBuilder().setClusterId(clusterId).setSessionName(sessionName).build());
    }

    /** Adds a node (or refreshes an alive one); INVALID_ARGUMENT for a malformed id, FAILED_PRECONDITION for a dead one. */
    @Override
    public void registerNode(RegisterNodeRequest request, StreamObserver<RegisterNodeReply> observer) {
        GrpcReplies.reply(observer, () -> {
            nodes.handleRegisterNode(request.getNodeInfo());
            return RegisterNodeReply.getDefaultInstance();
        });
    }

    /** Marks a node DEAD with the given death info; NOT_FOUND for an unknown node. */
    @Override
    public void unregisterNode(UnregisterNodeRequest request, StreamObserver<UnregisterNodeReply> observer) {
        GrpcReplies.reply(observer, () -> {
            nodes.handleUnregisterNode(request.getNodeId(), request.getNodeDeathInfo());
            return UnregisterNodeReply.getDefaultInstance();
        });
    }

    @Override
    public void getAllNodeInfo(GetAllNodeInfoRequest request, StreamObserver<GetAllNodeInfoReply> observer) {
        GrpcReplies.reply(observer, () -> nodes.handleGetAllNodeInfo(request));
    }

    /** Liveness of the given nodes from the alive cache, plus this GCS process's instance id. */
    @Override
    public void checkAlive(CheckAliveRequest request, StreamObserver<CheckAliveReply> observer) {
        GrpcReplies.reply(observer, () -> CheckAliveReply.newBuilder()
                .setRayVersion(version)
                .addAllRayletAlive(nodes.handleCheckAlive(request.getNodeIdsList()))
                .setGcsInstanceId(instanceId)
                .build());
    }
}
