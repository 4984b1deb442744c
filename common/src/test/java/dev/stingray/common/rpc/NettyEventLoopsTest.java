package dev.stingray.common.rpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Server;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class NettyEventLoopsTest {

    private static long loopThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive)
                .filter(t -> t.getName().startsWith("grpc-server-") || t.getName().startsWith("grpc-client-")).count();
    }

    private static HealthCheckResponse.ServingStatus callOnce() throws Exception {
        Server server = NettyServerBuilder.forPort(0).bossEventLoopGroup(NettyEventLoops.serverBoss())
                .workerEventLoopGroup(NettyEventLoops.serverWorkers()).channelType(NettyEventLoops.serverChannelType())
                .addService(new HealthStatusManager().getHealthService()).build().start();
        try {
            return GrpcChannels.checkHealth("127.0.0.1:" + server.getPort(), java.time.Duration.ofSeconds(10));
        } finally {
            server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void aServerAndAChannelRunOnTheOwnLoopsWhichShutdownStopsAndTheNextUseRecreates() throws Exception {
        assertThat(callOnce()).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
        assertThat(loopThreads()).as("the call ran on this class's loops").isPositive();

        NettyEventLoops.shutdown();
        assertThat(loopThreads()).as("no loop thread is left to hold the JVM's exit").isZero();

        assertThat(callOnce()).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
        NettyEventLoops.shutdown();
        assertThat(loopThreads()).isZero();
    }
}
