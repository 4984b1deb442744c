package dev.stingray.raylet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.stingray.common.discovery.ServiceNames;
import dev.stingray.common.discovery.ServiceRegistry;
import dev.stingray.common.gcs.KvNamespaces;
import dev.stingray.common.id.NodeId;
import dev.stingray.common.session.SessionDir;
import dev.stingray.proto.GcsNodeInfo;
import dev.stingray.proto.NodeDeathInfo;
import dev.stingray.proto.ResourcesData;
import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.NettyChannelBuilder;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.event.EventListener;
import org.springframework.grpc.server.lifecycle.GrpcServerStartedEvent;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The raylet daemon on real ports against a fake GCS: registration with its resources, labels and
 * ports, resource reports, gRPC health under the node id, readiness, re-registration after a GCS
 * restart, and unregistration with EXPECTED_TERMINATION on a graceful stop.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@DirtiesContext
class RayletIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final TestingGcsServer GCS = TestingGcsServer.start();
    private static final String NODE_HEX = NodeId.random().hex();

    @TempDir
    static Path session;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("stingray.cluster.gcs-address", GCS::address);
        registry.add("stingray.cluster.node-id", () -> NODE_HEX);
        registry.add("stingray.cluster.session-dir", () -> session.toString());
        registry.add("stingray.cluster.gcs-check-period", () -> "200ms");
        // The fake GCS stops after this class; the cached context must not exit the test JVM meanwhile.
        registry.add("stingray.cluster.gcs-reconnect-timeout", () -> "10m");
        registry.add("stingray.raylet.num-cpus", () -> "3");
        registry.add("stingray.raylet.resources", () -> "{\"custom\":2}");
        registry.add("stingray.raylet.labels", () -> "zone=a");
    }

    @AfterAll
    static void stopGcs() {
        GCS.close();
    }

    /** Records the port the gRPC server really bound, independently of the daemon's own bookkeeping. */
    @TestConfiguration(proxyBeanMethods = false)
    static class BoundGrpcPort {
        @Bean
        GrpcPortRecorder grpcPortRecorder() {
            return new GrpcPortRecorder();
        }
    }

    static final class GrpcPortRecorder {
        volatile int port;

        @EventListener
        void onStarted(GrpcServerStartedEvent event) {
            port = event.getPort();
        }
    }

    @Autowired
    GrpcPortRecorder grpcPort;

    @LocalServerPort
    int httpPort;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void registersTheNodeWithItsResourcesLabelsAndBoundPorts() {
        await().atMost(WAIT).until(() -> !GCS.registrationsOf(NODE_HEX).isEmpty());
        GcsNodeInfo node = GCS.registrationsOf(NODE_HEX).get(0);

        assertThat(grpcPort.port).isPositive();
        assertThat(node.getNodeManagerPort()).isEqualTo(grpcPort.port);
        assertThat(node.getManagementPort()).isEqualTo(httpPort);
        assertThat(node.getNodeManagerAddress()).isEqualTo("127.0.0.1");
        assertThat(node.getResourcesTotalMap()).containsEntry("CPU", 3.0).containsEntry("custom", 2.0)
                .containsKeys("memory", "object_store_memory").doesNotContainKey("GPU");
        assertThat(node.getLabelsMap()).containsEntry("zone", "a").containsEntry("ray.io/node-id", NODE_HEX);
        assertThat(node.getRayletPid()).isEqualTo((int) ProcessHandle.current().pid());
        assertThat(node.getSessionDir()).isEqualTo(session.toString());
        assertThat(node.getIsHeadNode()).isFalse();
        assertThat(new SessionDir(session).readPort("node_manager_port", NODE_HEX)).contains(grpcPort.port);
    }

    @Test
    void reportsItsResourceView() {
        await().atMost(WAIT).until(() -> !GCS.reportsOf(NODE_HEX).isEmpty());
        ResourcesData report = GCS.reportsOf(NODE_HEX).get(0);

        assertThat(report.getResourcesTotalMap()).containsEntry("CPU", 3.0).containsEntry("custom", 2.0);
        assertThat(report.getResourcesAvailableMap()).isEqualTo(report.getResourcesTotalMap());
        assertThat(report.getVersion()).isPositive();
    }

    @Test
    void grpcHealthIsServingUnderTheNodeId() {
        await().atMost(WAIT).until(() -> grpcPort.port > 0 && !GCS.registrationsOf(NODE_HEX).isEmpty());
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", grpcPort.port).usePlaintext().build();
        try {
            HealthCheckResponse response = HealthGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)
                    .check(HealthCheckRequest.newBuilder().setService(NODE_HEX).build());

            assertThat(response.getStatus()).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
        } finally {
            channel.shutdownNow();
        }
    }

    @Test
    void isReadyOnceRegisteredAndAnnouncedInTheServiceRegistry() {
        await().atMost(WAIT).untilAsserted(() -> {
            HttpResponse<String> readiness = get("/actuator/health/readiness");
            assertThat(readiness.statusCode()).isEqualTo(200);
            assertThat(readiness.body()).contains("\"nodeRegistration\"").contains("\"gcs\"");
        });
        assertThat(GCS.kvGet(KvNamespaces.SERVICES, ServiceNames.RAYLET + ":" + NODE_HEX))
                .hasValueSatisfying(json -> assertThat(ServiceRegistry.fromJson(json).ports())
                        .containsEntry(ServiceNames.GRPC_PORT, grpcPort.port)
                        .containsEntry(ServiceNames.HTTP_PORT, httpPort));
    }

    @Test
    void registersAgainWhenTheGcsRestarts() {
        await().atMost(WAIT).until(() -> !GCS.registrationsOf(NODE_HEX).isEmpty());
        // Registered, and the monitor has seen the current instance at least once since then.
        await().atMost(WAIT).until(() -> get("/actuator/health/readiness").statusCode() == 200);
        int before = GCS.registrationsOf(NODE_HEX).size();

        GCS.restart("gcs-instance-after-restart");

        await().atMost(WAIT).until(() -> GCS.registrationsOf(NODE_HEX).size() > before);
        List<GcsNodeInfo> registrations = GCS.registrationsOf(NODE_HEX);
        GcsNodeInfo again = registrations.get(registrations.size() - 1);
        assertThat(again.getResourcesTotalMap()).isEqualTo(registrations.get(0).getResourcesTotalMap());
        assertThat(again.getNodeManagerPort()).isEqualTo(grpcPort.port);
        assertThat(GCS.unregistrationsOf(NODE_HEX)).isEmpty();
    }

    @Test
    void gracefulStopUnregistersWithExpectedTermination() {
        String otherNode = NodeId.random().hex();
        ConfigurableApplicationContext raylet = new SpringApplicationBuilder(RayletApplication.class)
                .properties(
                        "stingray.cluster.gcs-address=" + GCS.address(),
                        "stingray.cluster.node-id=" + otherNode,
                        "stingray.cluster.gcs-check-period=200ms",
                        "stingray.cluster.gcs-reconnect-timeout=10m",
                        "stingray.raylet.num-cpus=1")
                .run();
        try {
            await().atMost(WAIT).until(() -> raylet.getBean(RayletNode.class).isRegistered());
            assertThat(GCS.registrationsOf(otherNode)).isNotEmpty();
            assertThat(GCS.unregistrationsOf(otherNode)).isEmpty();
        } finally {
            raylet.close();
        }

        assertThat(GCS.unregistrationsOf(otherNode)).singleElement().satisfies(u -> {
            assertThat(u.getNodeDeathInfo().getReason()).isEqualTo(NodeDeathInfo.Reason.EXPECTED_TERMINATION);
            assertThat(u.getNodeDeathInfo().getReasonMessage()).contains("stopped gracefully");
        });
        assertThat(GCS.kvGet(KvNamespaces.SERVICES, ServiceNames.RAYLET + ":" + otherNode)).isEmpty();
        assertThat(GCS.unregistrationsOf(NODE_HEX)).isEmpty();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
                .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }
}
