package dev.stingray.gcs.job;

import dev.stingray.common.rpc.GrpcReplies;
import dev.stingray.proto.AddJobReply;
import dev.stingray.proto.AddJobRequest;
import dev.stingray.proto.GetAllJobInfoReply;
import dev.stingray.proto.GetAllJobInfoRequest;
import dev.stingray.proto.GetNextJobIDReply;
import dev.stingray.proto.GetNextJobIDRequest;
import dev.stingray.proto.JobInfoGcsServiceGrpc;
import dev.stingray.proto.MarkJobFinishedReply;
import dev.stingray.proto.MarkJobFinishedRequest;
import io.grpc.stub.StreamObserver;

/** gRPC adapter of {@link GcsJobManager} ({@code JobInfoGcsService}). */
public final class JobInfoGrpcService extends JobInfoGcsServiceGrpc.JobInfoGcsServiceImplBase {

    private final GcsJobManager jobs;

    public JobInfoGrpcService(GcsJobManager jobs) {
        this.jobs = jobs;
    }

    /** Records a new running job. */
    @Override
    public void addJob(AddJobRequest request, StreamObserver<AddJobReply> observer) {
        GrpcReplies.reply(observer, () -> {
            jobs.handleAddJob(request.getData());
            return AddJobReply.getDefaultInstance();
        });
    }

    /** Marks a job finished; NOT_FOUND for an unknown job. */
    @Override
    public void markJobFinished(MarkJobFinishedRequest request, StreamObserver<MarkJobFinishedReply> observer) {
        GrpcReplies.reply(observer, () -> {
            jobs.handleMarkJobFinished(request.getJobId());
            return MarkJobFinishedReply.getDefaultInstance();
        });
    }

    @Override
    public void getAllJobInfo(GetAllJobInfoRequest request, StreamObserver<GetAllJobInfoReply> observer) {
        GrpcReplies.reply(observer, () -> GetAllJobInfoReply.newBuilder()
                .addAllJobInfoList(jobs.handleGetAllJobInfo(request.hasLimit() ? request.getLimit() : null)).build());
    }

    /** The next job id from the persistent counter. */
    @Override
    public void getNextJobID(GetNextJobIDRequest request, StreamObserver<GetNextJobIDReply> observer) {
        GrpcReplies.reply(observer, () -> GetNextJobIDReply.newBuilder().setJobId(jobs.handleGetNextJobId()).build());
    }
}
