package dev.stingray.gcs.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.stingray.common.id.NodeId;
import dev.stingray.proto.GcsNodeInfo;
import io.grpc.Server;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Probes a real gRPC health service, with shrunk timings. */
class GcsHealthCheckManagerTest {

    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final List<NodeId> dead = new CopyOnWriteArrayList<>();
    private final GcsHealthCheckManager manager = new GcsHealthCheckManager(scheduler, Duration.ofMillis(100), Duration.ofMillis(100),
            Duration.ofMillis(500), 3, (id, address) -> dead.add(id));
    private Server server;

    @AfterEach
    void tearDown() {
        manager.stop();
        scheduler.shutdownNow();
        if (server != null) {
            server.shutdownNow();
        }
    }

    private GcsNodeInfo startRaylet(NodeId id, HealthStatusManager health) throws Exception {
        server = NettyServerBuilder.forPort(0).addService(health.getHealthService()).build().start();
        return GcsNodeInfo.newBuilder().setNodeId(id.bytes()).setNodeManagerAddress("127.0.0.1").setNodeManagerPort(server.getPort()).build();
    }

    @Test
    void servingNodeStaysAliveAndKilledNodeIsReportedDeadOnce() throws Exception {
        NodeId id = NodeId.random();
        HealthStatusManager health = new HealthStatusManager();
        health.setStatus(id.hex(), HealthCheckResponse.ServingStatus.SERVING);
        manager.addNode(startRaylet(id, health));

        await().during(Duration.ofMillis(800)).atMost(Duration.ofSeconds(3)).until(dead::isEmpty);

        server.shutdownNow();
        await().atMost(Duration.ofSeconds(10)).until(() -> dead.size() == 1);
        assertThat(dead).containsExactly(id);
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(() -> dead.size() == 1);
    }

    @Test
    void wrongServiceNameCountsAsFailure() throws Exception {
        NodeId id = NodeId.random();
        HealthStatusManager health = new HealthStatusManager();
        health.setStatus(NodeId.random().hex(), HealthCheckResponse.ServingStatus.SERVING);
        manager.addNode(startRaylet(id, health));
        await().atMost(Duration.ofSeconds(10)).until(() -> dead.contains(id));
    }

    @Test
    void resourceReportsKeepANodeAliveBetweenFailedProbes() throws Exception {
        NodeId id = NodeId.random();
        HealthStatusManager health = new HealthStatusManager();
        health.setStatus(id.hex(), HealthCheckResponse.ServingStatus.NOT_SERVING);
        manager.addNode(startRaylet(id, health));
        ScheduledExecutorService reporter = Executors.newSingleThreadScheduledExecutor();
        try {
            reporter.scheduleAtFixedRate(() -> manager.markHealthy(id.bytes()), 0, 50, java.util.concurrent.TimeUnit.MILLISECONDS);
            await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(dead::isEmpty);
        } finally {
            reporter.shutdownNow();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> dead.contains(id));
    }
}
