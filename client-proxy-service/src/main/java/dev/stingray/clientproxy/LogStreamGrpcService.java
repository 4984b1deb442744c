package dev.stingray.clientproxy;

import dev.stingray.proto.client.LogData;
import dev.stingray.proto.client.LogSettingsRequest;
import dev.stingray.proto.client.RayletLogStreamerGrpc;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.Optional;
import java.util.function.Function;

/**
 * {@code RayletLogStreamer}: streams the cluster's worker and daemon log lines to a Ray Client
 * (Ray: {@code python/ray/util/client/server/logservicer.py}). Each call is a {@link LogStreamSession}
 * with its own subscription to the log channel; the call must carry {@code client_id} metadata
 * ({@link ClientIdInterceptor} refuses it otherwise).
 */
public final class LogStreamGrpcService extends RayletLogStreamerGrpc.RayletLogStreamerImplBase {

    private final LogChannel channel;
    private final int bufferLines;
    private final Function<String, Optional<String>> sessionJob;

    LogStreamGrpcService(LogChannel channel, int bufferLines) {
        this(channel, bufferLines, clientId -> Optional.empty());
    }

    /** With {@code sessionJob} (client id → job id hex of its session), a client with a session gets only its job's lines. */
    LogStreamGrpcService(LogChannel channel, int bufferLines, Function<String, Optional<String>> sessionJob) {
        this.channel = channel;
        this.bufferLines = bufferLines;
        this.sessionJob = sessionJob;
    }

    /**
     * Bidi stream: {@code LogSettingsRequest}s switch forwarding on and off; {@code LogData} carries one
     * formatted line each, level -1 (stdout) or -2 (stderr). Lines are dropped, oldest first, when the
     * client falls behind by more than the configured buffer.
     */
    @Override
    public StreamObserver<LogSettingsRequest> logstream(StreamObserver<LogData> responseObserver) {
        String clientId = ClientIdInterceptor.CLIENT_ID.get();
        LogChannel ofClient = handler -> channel.subscribe(batch -> {
            Optional<String> job = sessionJob.apply(clientId);
            if (job.isEmpty() || job.get().equals(batch.getJobId())) {
                handler.accept(batch);
            }
        });
        return new LogStreamSession(clientId, (ServerCallStreamObserver<LogData>) responseObserver, ofClient, bufferLines);
    }
}
