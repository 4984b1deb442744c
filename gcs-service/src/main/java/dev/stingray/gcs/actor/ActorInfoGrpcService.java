package dev.stingray.gcs.actor;

import dev.stingray.common.rpc.GrpcReplies;
import dev.stingray.proto.ActorInfoGcsServiceGrpc;
import dev.stingray.proto.CreateActorReply;
import dev.stingray.proto.CreateActorRequest;
import dev.stingray.proto.GetActorInfoReply;
import dev.stingray.proto.GetActorInfoRequest;
import dev.stingray.proto.GetAllActorInfoReply;
import dev.stingray.proto.GetAllActorInfoRequest;
import dev.stingray.proto.GetNamedActorInfoReply;
import dev.stingray.proto.GetNamedActorInfoRequest;
import dev.stingray.proto.KillActorViaGcsReply;
import dev.stingray.proto.KillActorViaGcsRequest;
import dev.stingray.proto.ListNamedActorsReply;
import dev.stingray.proto.ListNamedActorsRequest;
import dev.stingray.proto.RegisterActorReply;
import dev.stingray.proto.RegisterActorRequest;
import io.grpc.stub.StreamObserver;

/** gRPC adapter of {@link GcsActorManager} ({@code ActorInfoGcsService}). */
public final class ActorInfoGrpcService extends ActorInfoGcsServiceGrpc.ActorInfoGcsServiceImplBase {

    private final GcsActorManager actors;

    public ActorInfoGrpcService(GcsActorManager actors) {
        this.actors = actors;
    }

    /** Records a new actor and reserves its name; ALREADY_EXISTS when the name is taken in its namespace. */
    @Override
    public void registerActor(RegisterActorRequest request, StreamObserver<RegisterActorReply> observer) {
        GrpcReplies.reply(observer, () -> {
            actors.handleRegisterActor(request.getTaskSpec());
            return RegisterActorReply.getDefaultInstance();
        });
    }

    /** Places a registered actor; answers with its address once it is ALIVE, FAILED_PRECONDITION if it died first. */
    @Override
    public void createActor(CreateActorRequest request, StreamObserver<CreateActorReply> observer) {
        GrpcReplies.replyWhenDone(observer, () -> actors.handleCreateActor(request.getTaskSpec()),
                address -> CreateActorReply.newBuilder().setActorAddress(address).build());
    }

    /** One actor's row; NOT_FOUND for an unknown id. */
    @Override
    public void getActorInfo(GetActorInfoRequest request, StreamObserver<GetActorInfoReply> observer) {
        GrpcReplies.reply(observer, () -> GetActorInfoReply.newBuilder()
                .setActorTableData(actors.handleGetActorInfo(request.getActorId())).build());
    }

    /** The live actor with that name in that namespace; NOT_FOUND if there is none. */
    @Override
    public void getNamedActorInfo(GetNamedActorInfoRequest request, StreamObserver<GetNamedActorInfoReply> observer) {
        GrpcReplies.reply(observer, () -> GetNamedActorInfoReply.newBuilder()
                .setActorTableData(actors.handleGetNamedActorInfo(request.getName(), request.getRayNamespace())).build());
    }

    /** Names of live named actors in one namespace or in all. */
    @Override
    public void listNamedActors(ListNamedActorsRequest request, StreamObserver<ListNamedActorsReply> observer) {
        GrpcReplies.reply(observer, () -> ListNamedActorsReply.newBuilder()
                .addAllNamedActorsList(actors.handleListNamedActors(request.getAllNamespaces(), request.getRayNamespace())).build());
    }

    /** Every actor the GCS knows, filtered by actor id, job id and state. */
    @Override
    public void getAllActorInfo(GetAllActorInfoRequest request, StreamObserver<GetAllActorInfoReply> observer) {
        GrpcReplies.reply(observer, () -> {
            var list = actors.handleGetAllActorInfo(request);
            return GetAllActorInfoReply.newBuilder().addAllActorTableData(list).setTotal(list.size()).build();
        });
    }

    /** Kills an actor: DEAD with {@code no_restart}, otherwise restarted if it has restarts left. */
    @Override
    public void killActorViaGcs(KillActorViaGcsRequest request, StreamObserver<KillActorViaGcsReply> observer) {
        GrpcReplies.reply(observer, () -> {
            actors.handleKillActor(request.getActorId(), request.getNoRestart());
            return KillActorViaGcsReply.getDefaultInstance();
        });
    }
}
