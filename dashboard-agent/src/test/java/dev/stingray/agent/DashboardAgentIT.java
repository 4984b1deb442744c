package dev.stingray.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.stingray.common.gcs.KvNamespaces;
import dev.stingray.common.id.NodeId;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The agent against a fake GCS: Ray's health endpoints, KV registration, node metrics and probes. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class DashboardAgentIT {

    private static final String NODE_HEX = NodeId.random().hex();
    private static final String NODE_IP = "127.0.0.1";
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final List<String> RAY_NODE_METRICS = List.of(
            "ray_node_cpu_utilization", "ray_node_cpu_count",
            "ray_node_mem_used", "ray_node_mem_available", "ray_node_mem_total",
            "ray_node_disk_usage", "ray_node_disk_free",
            "ray_node_network_sent", "ray_node_network_received");

    private static volatile TestingGcsServer gcs = TestingGcsServer.start(0);
    private static final int GCS_PORT = gcs.port();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("stingray.cluster.gcs-address", () -> "127.0.0.1:" + GCS_PORT);
        registry.add("stingray.cluster.node-id", () -> NODE_HEX);
        registry.add("stingray.cluster.node-ip-address", () -> NODE_IP);
        registry.add("stingray.cluster.gcs-check-period", () -> "200ms");
        registry.add("stingray.dashboard-agent.listen-port", () -> "0");
        registry.add("stingray.dashboard-agent.is-head-node", () -> "true");
        // One sample for the whole test: a scrape reads the gauges one after another, so a new sample
        // landing mid-scrape would mix two samples and break the mem_used = total - available check.
        registry.add("stingray.dashboard-agent.metrics-sample-period", () -> "1h");
    }

    @AfterAll
    static void stopGcs() {
        gcs.close();
    }

    @Test
    void healthEndpointsReturnSuccessWhileTheGcsSaysTheNodeIsAlive() throws Exception {
        HttpResponse<String> raylet = get("/api/local_raylet_healthz");
        HttpResponse<String> unified = get("/api/healthz");

        assertThat(raylet.statusCode()).isEqualTo(200);
        assertThat(raylet.body()).isEqualTo("success");
        assertThat(raylet.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
        assertThat(unified.statusCode()).isEqualTo(200);
        assertThat(unified.body()).isEqualTo("success");
    }

    @Test
    void healthEndpointsReturn503NamingTheNodeWhenTheGcsSaysItIsNotAlive() throws Exception {
        gcs.setRayletAlive(false);
        try {
            HttpResponse<String> raylet = get("/api/local_raylet_healthz");
            HttpResponse<String> unified = get("/api/healthz");

            assertThat(raylet.statusCode()).isEqualTo(503);
            assertThat(raylet.body()).contains("Local Raylet failed").contains(NODE_HEX);
            assertThat(unified.statusCode()).isEqualTo(503);
            assertThat(unified.body()).contains("raylet: Local Raylet failed").contains(NODE_HEX).contains("gcs: success");
        } finally {
            gcs.setRayletAlive(true);
        }
    }

    @Test
    void registersTheAgentAddressInTheDashboardNamespace() {
        awaitRegistration(gcs);

        assertThat(gcs.kvGet(KvNamespaces.DASHBOARD, "DASHBOARD_AGENT_ADDR_NODE_ID_PREFIX:" + NODE_HEX))
                .contains("[\"" + NODE_IP + "\", " + port + ", -1]");
        assertThat(gcs.kvGet(KvNamespaces.DASHBOARD, "DASHBOARD_AGENT_ADDR_IP_PREFIX:" + NODE_IP))
                .contains("[\"" + NODE_HEX + "\", " + port + ", -1]");
    }

    @Test
    void prometheusExposesRayNodeMetricsTaggedWithIpAndNodeId() throws Exception {
        HttpResponse<String> response = get("/actuator/prometheus");

        assertThat(response.statusCode()).isEqualTo(200);
        List<String> lines = response.body().lines().toList();
        for (String name : RAY_NODE_METRICS) {
            assertThat(lines).as("TYPE line of %s", name).contains("# TYPE " + name + " gauge");
            assertThat(lines).as("sample of %s", name).anySatisfy(line -> assertThat(line)
                    .startsWith(name + "{")
                    .contains("NodeId=\"" + NODE_HEX + "\"")
                    .contains("ip=\"" + NODE_IP + "\""));
        }
        assertThat(response.body()).doesNotContain("ray_node_mem_total_bytes").doesNotContain("ray_node_network_sent_total");
        assertThat(value(lines, "ray_node_mem_total")).isPositive();
        assertThat(value(lines, "ray_node_cpu_count")).isPositive();
        assertThat(value(lines, "ray_node_disk_free")).isPositive();
        assertThat(value(lines, "ray_node_mem_used")).isPositive()
                .isEqualTo(value(lines, "ray_node_mem_total") - value(lines, "ray_node_mem_available"));
        assertThat(value(lines, "ray_node_cpu_utilization")).isBetween(0.0, 100.0);
    }

    @Test
    void gcsOutageKeepsTheRayletHealthyAndLiveButNotReadyThenReRegistersAfterTheRestart() throws Exception {
        await().atMost(WAIT).until(() -> get("/actuator/health/readiness").statusCode() == 200);
        awaitRegistration(gcs);

        gcs.close();

        await().atMost(WAIT).untilAsserted(() -> {
            HttpResponse<String> readiness = get("/actuator/health/readiness");
            assertThat(readiness.statusCode()).isEqualTo(503);
            assertThat(readiness.body()).contains("DOWN");
        });
        HttpResponse<String> liveness = get("/actuator/health/liveness");
        assertThat(liveness.statusCode()).isEqualTo(200);
        assertThat(liveness.body()).contains("UP");
        HttpResponse<String> raylet = get("/api/local_raylet_healthz");
        assertThat(raylet.statusCode()).isEqualTo(200);
        assertThat(raylet.body()).isEqualTo("success");
        HttpResponse<String> unified = get("/api/healthz");
        assertThat(unified.statusCode()).isEqualTo(503);
        assertThat(unified.body()).contains("raylet: success").contains("gcs: GCS at 127.0.0.1:" + GCS_PORT);

        // A new GCS process on the same port: new instance id, empty KV (no Redis).
        gcs = TestingGcsServer.start(GCS_PORT);

        awaitRegistration(gcs);
        await().atMost(WAIT).until(() -> get("/actuator/health/readiness").statusCode() == 200);
        assertThat(gcs.kvGet(KvNamespaces.DASHBOARD, "DASHBOARD_AGENT_ADDR_NODE_ID_PREFIX:" + NODE_HEX))
                .contains("[\"" + NODE_IP + "\", " + port + ", -1]");
    }

    private static void awaitRegistration(TestingGcsServer server) {
        await().atMost(WAIT).until(() ->
                server.kvGet(KvNamespaces.DASHBOARD, "DASHBOARD_AGENT_ADDR_NODE_ID_PREFIX:" + NODE_HEX).isPresent()
                        && server.kvGet(KvNamespaces.DASHBOARD, "DASHBOARD_AGENT_ADDR_IP_PREFIX:" + NODE_IP).isPresent());
    }

    private static double value(List<String> lines, String name) {
        Optional<String> line = lines.stream().filter(l -> l.startsWith(name + "{")).findFirst();
        assertThat(line).as("sample of %s", name).isPresent();
        String s = line.get();
        return Double.parseDouble(s.substring(s.lastIndexOf(' ') + 1));
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }
}
