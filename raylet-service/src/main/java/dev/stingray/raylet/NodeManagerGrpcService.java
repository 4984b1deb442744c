package dev.stingray.raylet;

import dev.stingray.common.boot.DaemonExit;
import dev.stingray.common.rpc.GrpcReplies;
import dev.stingray.proto.GetNodeStatsReply;
import dev.stingray.proto.GetNodeStatsRequest;
import dev.stingray.proto.NodeManagerServiceGrpc;
import dev.stingray.proto.NotifyGCSRestartReply;
import dev.stingray.proto.NotifyGCSRestartRequest;
import dev.stingray.proto.ShutdownRayletReply;
import dev.stingray.proto.ShutdownRayletRequest;
import io.grpc.stub.StreamObserver;

/** The raylet's {@code NodeManagerService}; issue #3 adds worker leasing. */
public final class NodeManagerGrpcService extends NodeManagerServiceGrpc.NodeManagerServiceImplBase {

    private final RayletNode node;
    private final LocalResources resources;
    private final DaemonExit exit;

    public NodeManagerGrpcService(RayletNode node, LocalResources resources, DaemonExit exit) {
        this.node = node;
        this.resources = resources;
        this.exit = exit;
    }

    /** Stops the raylet; graceful = unregister with EXPECTED_TERMINATION first (the shutdown hooks do it). */
    @Override
    public void shutdownRaylet(ShutdownRayletRequest request, StreamObserver<ShutdownRayletReply> observer) {
        GrpcReplies.reply(observer, ShutdownRayletReply::getDefaultInstance);
        exit.exit(0, "ShutdownRaylet received (graceful=" + request.getGraceful() + ")");
    }

    /** The GCS restarted: register again and report the resource view anew. */
    @Override
    public void notifyGCSRestart(NotifyGCSRestartRequest request, StreamObserver<NotifyGCSRestartReply> observer) {
        GrpcReplies.reply(observer, () -> {
            node.reRegister();
            return NotifyGCSRestartReply.getDefaultInstance();
        });
    }

    @Override
    public void getNodeStats(GetNodeStatsRequest request, StreamObserver<GetNodeStatsReply> observer) {
        GrpcReplies.reply(observer, () -> GetNodeStatsReply.newBuilder()
                .putAllResourcesTotal(resources.total())
                .putAllResourcesAvailable(resources.available())
                .build());
    }
}
