package dev.stingray.gcs.worker;

import dev.stingray.common.rpc.GrpcReplies;
import dev.stingray.proto.AddWorkerInfoReply;
import dev.stingray.proto.AddWorkerInfoRequest;
import dev.stingray.proto.GetAllWorkerInfoReply;
import dev.stingray.proto.GetAllWorkerInfoRequest;
import dev.stingray.proto.GetWorkerInfoReply;
import dev.stingray.proto.GetWorkerInfoRequest;
import dev.stingray.proto.ReportWorkerFailureReply;
import dev.stingray.proto.ReportWorkerFailureRequest;
import dev.stingray.proto.WorkerInfoGcsServiceGrpc;
import dev.stingray.proto.WorkerTableData;
import io.grpc.stub.StreamObserver;
import java.util.List;

/** gRPC adapter of {@link GcsWorkerManager} ({@code WorkerInfoGcsService}). */
public final class WorkerInfoGrpcService extends WorkerInfoGcsServiceGrpc.WorkerInfoGcsServiceImplBase {

    private final GcsWorkerManager workers;

    public WorkerInfoGrpcService(GcsWorkerManager workers) {
        this.workers = workers;
    }

    /** Records a dead worker and publishes the delta. */
    @Override
    public void reportWorkerFailure(ReportWorkerFailureRequest request, StreamObserver<ReportWorkerFailureReply> observer) {
        GrpcReplies.reply(observer, () -> {
            workers.handleReportWorkerFailure(request.getWorkerFailure());
            return ReportWorkerFailureReply.getDefaultInstance();
        });
    }

    @Override
    public void getWorkerInfo(GetWorkerInfoRequest request, StreamObserver<GetWorkerInfoReply> observer) {
        GrpcReplies.reply(observer, () -> {
            GetWorkerInfoReply.Builder reply = GetWorkerInfoReply.newBuilder();
            workers.handleGetWorkerInfo(request.getWorkerId()).ifPresent(reply::setWorkerTableData);
            return reply.build();
        });
    }

    @Override
    public void getAllWorkerInfo(GetAllWorkerInfoRequest request, StreamObserver<GetAllWorkerInfoReply> observer) {
        GrpcReplies.reply(observer, () -> {
            List<WorkerTableData> all = workers.handleGetAllWorkerInfo(request.hasLimit() ? request.getLimit() : null);
            return GetAllWorkerInfoReply.newBuilder().addAllWorkerTableData(all).setTotal(all.size()).build();
        });
    }

    /** Records a live worker. */
    @Override
    public void addWorkerInfo(AddWorkerInfoRequest request, StreamObserver<AddWorkerInfoReply> observer) {
        GrpcReplies.reply(observer, () -> {
            workers.handleAddWorkerInfo(request.getWorkerData());
            return AddWorkerInfoReply.getDefaultInstance();
        });
    }
}
