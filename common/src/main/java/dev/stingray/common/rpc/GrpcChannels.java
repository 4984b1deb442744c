package dev.stingray.common.rpc;

import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import java.util.concurrent.TimeUnit;

/**
 * Builds the plaintext channels daemons use to reach each other. The message limit is Ray's
 * {@code max_grpc_message_size} (512 MiB).
 */
public final class GrpcChannels {

    /** How long {@link #close} lets calls in flight finish before cancelling them. */
    static final long CLOSE_GRACE_MS = 100;

    /** Ray's {@code max_grpc_message_size}. */
    public static final int MAX_MESSAGE_BYTES = 512 * 1024 * 1024;

    private GrpcChannels() {
    }

    /** A channel to {@code host:port}; the address is validated first so a typo fails with its value. */
    public static ManagedChannel forAddress(String address) {
        HostAndPort hp = HostAndPort.parse(address);
        return NettyChannelBuilder.forAddress(hp.host(), hp.port())
                .eventLoopGroup(NettyEventLoops.client())
                .channelType(NettyEventLoops.clientChannelType())
                .usePlaintext()
                .maxInboundMessageSize(MAX_MESSAGE_BYTES)
                .keepAliveTime(30, TimeUnit.SECONDS)
                .build();
    }

    /**
     * One standard gRPC health check of the server at {@code address} over a new channel (closed after).
     *
     * @return the status it reports
     * @throws io.grpc.StatusRuntimeException when it does not answer within {@code deadline} (or has no health service)
     */
    public static io.grpc.health.v1.HealthCheckResponse.ServingStatus checkHealth(String address, java.time.Duration deadline) {
        ManagedChannel channel = forAddress(address);
        try {
            return io.grpc.health.v1.HealthGrpc.newBlockingStub(channel).withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS)
                    .check(io.grpc.health.v1.HealthCheckRequest.getDefaultInstance()).getStatus();
        } finally {
            close(channel);
        }
    }

    /**
     * Closes a client channel: calls in flight get {@link #CLOSE_GRACE_MS} ms to finish, then the rest (long polls,
     * streams that only end when the server says so) are cancelled. Waiting for those would hold every
     * {@code Ray.shutdown()} for the full grace.
     */
    public static void close(ManagedChannel channel) {
        channel.shutdown();
        try {
            if (!channel.awaitTermination(CLOSE_GRACE_MS, TimeUnit.MILLISECONDS)) {
                channel.shutdownNow();
                channel.awaitTermination(1, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            channel.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
