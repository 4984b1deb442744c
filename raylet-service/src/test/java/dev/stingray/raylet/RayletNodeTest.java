package dev.stingray.raylet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.stingray.common.boot.ClusterProperties;
import dev.stingray.common.boot.DaemonExit;
import dev.stingray.common.boot.DaemonProperties;
import dev.stingray.common.boot.DaemonRegistration;
import dev.stingray.common.boot.ServiceRecordPublisher;
import dev.stingray.common.discovery.ServiceRecord;
import dev.stingray.common.gcs.GcsClient;
import dev.stingray.common.gcs.GcsConnectionMonitor;
import dev.stingray.common.id.NodeId;
import dev.stingray.proto.NodeDeathInfo;
import io.grpc.protobuf.services.HealthStatusManager;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The raylet's reaction to the GCS declaring its node not alive, with a recording {@link DaemonExit}
 * instead of the real one (which would end the test JVM).
 */
class RayletNodeTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private final TestingGcsServer fake = TestingGcsServer.start();
    private final GcsClient gcs = new GcsClient(fake.address(), Duration.ofSeconds(5));
    private final GcsConnectionMonitor monitor = new GcsConnectionMonitor(gcs, Duration.ofSeconds(60), Duration.ofSeconds(60), Clock.systemUTC());
    private final NodeId nodeId = NodeId.random();
    private final List<String> exits = new CopyOnWriteArrayList<>();
    private final RayletNode node;

    RayletNodeTest() {
        ClusterProperties cluster = new ClusterProperties(fake.address(), null, nodeId.hex(), "127.0.0.1",
                Duration.ofSeconds(60), Duration.ofSeconds(60));
        DaemonRegistration registration = new DaemonRegistration(cluster, new DaemonProperties("raylet", "", ""),
                new ServiceRecordPublisher() {
                    @Override
                    public void publish(ServiceRecord record) {
                    }

                    @Override
                    public void withdraw(ServiceRecord record) {
                    }
                }, "test");
        RayletProperties properties = new RayletProperties(0, 1.0, null, 10L, 5L, "", "", false, "", "/tmp/stingray",
                Duration.ofMillis(100), Duration.ofSeconds(10), "", java.util.List.of(), Duration.ofSeconds(60), Duration.ofSeconds(30), -1, -1,
                "", false, 0.8);
        DaemonExit exit = new DaemonExit(null) {
            @Override
            public void exit(int status, String reason) {
                exits.add(status + " " + reason);
            }
        };
        node = new RayletNode(properties, cluster, gcs, monitor, registration, new HealthStatusManager(),
                new LocalResources(Map.of("CPU", 1.0)), exit);
    }

    @AfterEach
    void tearDown() {
        node.stop();
        monitor.close();
        gcs.close();
        fake.close();
    }

    @Test
    void nodeMarkedDeadExitsOnceWithTheGcsReason() {
        node.start();
        await().atMost(WAIT).until(node::isRegistered);
        gcs.unregisterNode(nodeId, NodeDeathInfo.Reason.UNEXPECTED_TERMINATION, "health check failed");

        node.onNodeNotAlive();
        node.onNodeNotAlive();

        assertThat(exits).singleElement().satisfies(e -> assertThat(e)
                .startsWith("1 [Exiting] The GCS marked this node (" + nodeId.hex() + ") DEAD")
                .contains("UNEXPECTED_TERMINATION: health check failed")
                .contains("stingray start --address=" + fake.address()));
        assertThat(node.isRegistered()).isFalse();
    }

    @Test
    void notAliveReportAfterAGracefulStopDoesNotExit() {
        node.start();
        await().atMost(WAIT).until(node::isRegistered);

        node.stop();
        // The GCS now (rightly) reports the unregistered node as not alive; a late monitor check must not turn
        // the graceful stop into an exit with status 1.
        node.onNodeNotAlive();

        assertThat(fake.unregistrationsOf(nodeId.hex())).singleElement()
                .satisfies(u -> assertThat(u.getNodeDeathInfo().getReason()).isEqualTo(NodeDeathInfo.Reason.EXPECTED_TERMINATION));
        assertThat(exits).isEmpty();
    }
}
