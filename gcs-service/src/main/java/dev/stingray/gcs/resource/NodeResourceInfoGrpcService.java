package dev.stingray.gcs.resource;

import dev.stingray.common.rpc.GrpcReplies;
import dev.stingray.proto.AvailableResources;
import dev.stingray.proto.GetAllAvailableResourcesReply;
import dev.stingray.proto.GetAllAvailableResourcesRequest;
import dev.stingray.proto.GetAllResourceUsageReply;
import dev.stingray.proto.GetAllResourceUsageRequest;
import dev.stingray.proto.GetAllTotalResourcesReply;
import dev.stingray.proto.GetAllTotalResourcesRequest;
import dev.stingray.proto.NodeResourceInfoGcsServiceGrpc;
import dev.stingray.proto.ReportResourceUsageReply;
import dev.stingray.proto.ReportResourceUsageRequest;
import dev.stingray.proto.ResourceUsageBatchData;
import dev.stingray.proto.ResourcesData;
import dev.stingray.proto.TotalResources;
import io.grpc.stub.StreamObserver;

/** gRPC adapter of {@link GcsResourceManager} ({@code NodeResourceInfoGcsService}). */
public final class NodeResourceInfoGrpcService extends NodeResourceInfoGcsServiceGrpc.NodeResourceInfoGcsServiceImplBase {

    private final GcsResourceManager resources;

    public NodeResourceInfoGrpcService(GcsResourceManager resources) {
        this.resources = resources;
    }

    @Override
    public void getAllAvailableResources(GetAllAvailableResourcesRequest request, StreamObserver<GetAllAvailableResourcesReply> observer) {
        GrpcReplies.reply(observer, () -> {
            GetAllAvailableResourcesReply.Builder reply = GetAllAvailableResourcesReply.newBuilder();
            for (ResourcesData v : resources.allViews()) {
                reply.addResourcesList(AvailableResources.newBuilder().setNodeId(v.getNodeId()).putAllResourcesAvailable(v.getResourcesAvailableMap()));
            }
            return reply.build();
        });
    }

    @Override
    public void getAllTotalResources(GetAllTotalResourcesRequest request, StreamObserver<GetAllTotalResourcesReply> observer) {
        GrpcReplies.reply(observer, () -> {
            GetAllTotalResourcesReply.Builder reply = GetAllTotalResourcesReply.newBuilder();
            for (ResourcesData v : resources.allViews()) {
                reply.addResourcesList(TotalResources.newBuilder().setNodeId(v.getNodeId()).putAllResourcesTotal(v.getResourcesTotalMap()));
            }
            return reply.build();
        });
    }

    /** Every alive node's full view (the autoscaler's and {@code stingray status}'s input). */
    @Override
    public void getAllResourceUsage(GetAllResourceUsageRequest request, StreamObserver<GetAllResourceUsageReply> observer) {
        GrpcReplies.reply(observer, () -> GetAllResourceUsageReply.newBuilder()
                .setResourceUsageData(ResourceUsageBatchData.newBuilder().addAllBatch(resources.allViews())).build());
    }

    /** A raylet's changed view; NOT_FOUND for a node that is not alive. */
    @Override
    public void reportResourceUsage(ReportResourceUsageRequest request, StreamObserver<ReportResourceUsageReply> observer) {
        GrpcReplies.reply(observer, () -> {
            resources.handleReportResourceUsage(request.getResources());
            return ReportResourceUsageReply.getDefaultInstance();
        });
    }
}
