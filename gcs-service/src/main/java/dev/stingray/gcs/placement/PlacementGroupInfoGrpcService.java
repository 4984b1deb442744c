package dev.stingray.gcs.placement;

import dev.stingray.common.rpc.GrpcReplies;
import dev.stingray.proto.CreatePlacementGroupReply;
import dev.stingray.proto.CreatePlacementGroupRequest;
import dev.stingray.proto.GetAllPlacementGroupReply;
import dev.stingray.proto.GetAllPlacementGroupRequest;
import dev.stingray.proto.GetNamedPlacementGroupReply;
import dev.stingray.proto.GetNamedPlacementGroupRequest;
import dev.stingray.proto.GetPlacementGroupReply;
import dev.stingray.proto.GetPlacementGroupRequest;
import dev.stingray.proto.PlacementGroupInfoGcsServiceGrpc;
import dev.stingray.proto.RemovePlacementGroupReply;
import dev.stingray.proto.RemovePlacementGroupRequest;
import dev.stingray.proto.WaitPlacementGroupUntilReadyReply;
import dev.stingray.proto.WaitPlacementGroupUntilReadyRequest;
import io.grpc.stub.StreamObserver;

/** gRPC adapter of {@link GcsPlacementGroupManager} ({@code PlacementGroupInfoGcsService}). */
public final class PlacementGroupInfoGrpcService extends PlacementGroupInfoGcsServiceGrpc.PlacementGroupInfoGcsServiceImplBase {

    private final GcsPlacementGroupManager groups;

    public PlacementGroupInfoGrpcService(GcsPlacementGroupManager groups) {
        this.groups = groups;
    }

    /** Records a group PENDING and starts reserving its bundles; ALREADY_EXISTS when the name is taken in its namespace. */
    @Override
    public void createPlacementGroup(CreatePlacementGroupRequest request, StreamObserver<CreatePlacementGroupReply> observer) {
        GrpcReplies.reply(observer, () -> {
            groups.handleCreatePlacementGroup(request.getPlacementGroupSpec());
            return CreatePlacementGroupReply.getDefaultInstance();
        });
    }

    /** Removes a group and releases its bundles; NOT_FOUND for an unknown id. */
    @Override
    public void removePlacementGroup(RemovePlacementGroupRequest request, StreamObserver<RemovePlacementGroupReply> observer) {
        GrpcReplies.reply(observer, () -> {
            groups.handleRemovePlacementGroup(request.getPlacementGroupId());
            return RemovePlacementGroupReply.getDefaultInstance();
        });
    }

    /** One group's row; NOT_FOUND for an unknown id. */
    @Override
    public void getPlacementGroup(GetPlacementGroupRequest request, StreamObserver<GetPlacementGroupReply> observer) {
        GrpcReplies.reply(observer, () -> GetPlacementGroupReply.newBuilder()
                .setPlacementGroupTableData(groups.handleGetPlacementGroup(request.getPlacementGroupId())).build());
    }

    /** The group with that name in that namespace; NOT_FOUND if there is none. */
    @Override
    public void getNamedPlacementGroup(GetNamedPlacementGroupRequest request, StreamObserver<GetNamedPlacementGroupReply> observer) {
        GrpcReplies.reply(observer, () -> GetNamedPlacementGroupReply.newBuilder()
                .setPlacementGroupTableData(groups.handleGetNamedPlacementGroup(request.getName(), request.getRayNamespace())).build());
    }

    /** Every group the GCS knows, removed ones included. */
    @Override
    public void getAllPlacementGroup(GetAllPlacementGroupRequest request, StreamObserver<GetAllPlacementGroupReply> observer) {
        GrpcReplies.reply(observer, () -> {
            var list = groups.handleGetAllPlacementGroup(request.hasLimit() ? request.getLimit() : null);
            return GetAllPlacementGroupReply.newBuilder().addAllPlacementGroupTableData(list).setTotal(list.size()).build();
        });
    }

    /** Answers once the group is CREATED (the caller's deadline bounds the wait); NOT_FOUND if it is removed. */
    @Override
    public void waitPlacementGroupUntilReady(WaitPlacementGroupUntilReadyRequest request,
            StreamObserver<WaitPlacementGroupUntilReadyReply> observer) {
        GrpcReplies.replyWhenDone(observer, () -> groups.handleWaitPlacementGroupUntilReady(request.getPlacementGroupId()),
                ready -> WaitPlacementGroupUntilReadyReply.getDefaultInstance());
    }
}
