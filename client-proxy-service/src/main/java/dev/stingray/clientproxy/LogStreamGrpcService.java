package dev.stingray.clientproxy;

import dev.stingray.proto.client.LogData;
import dev.stingray.proto.client.LogSettingsRequest;
import dev.stingray.proto.client.RayletLogStreamerGrpc;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;

/**
 * {@code RayletLogStreamer}: streams the cluster's worker and daemon log lines to a Ray Client
 * (Ray: {@code python/ray/util/client/server/logservicer.py}). Each call is a {@link LogStreamSession}
 * with its own subscription to the log channel; the call must carry {@code client_id} metadata
 * ({@link ClientIdInterceptor} refuses it otherwise).
 */
public final class LogStreamGrpcService extends RayletLogStreamerGrpc.RayletLogStreamerImplBase {

    private final LogChannel channel;
    private final int bufferLines;

    LogStreamGrpcService(LogChannel channel, int bufferLines) {
        this.channel = channel;
        this.bufferLines = bufferLines;
    }

    /**
     * Bidi stream: {@code LogSettingsRequest}s switch forwarding on and off; {@code LogData} carries one
     * formatted line each, level -1 (stdout) or -2 (stderr). Lines are dropped, oldest first, when the
     * client falls behind by more than the configured buffer.
     */
    @Override
    public StreamObserver<LogSettingsRequest> logstream(StreamObserver<LogData> responseObserver) {
        return new LogStreamSession(ClientIdInterceptor.CLIENT_ID.get(),
                (ServerCallStreamObserver<LogData>) responseObserver, channel, bufferLines);
    }
}
