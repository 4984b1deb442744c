package dev.stingray.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.stingray.common.discovery.ServiceRegistry;
import dev.stingray.common.gcs.GcsClient;
import dev.stingray.common.gcs.KvNamespaces;
import dev.stingray.common.id.NodeId;
import dev.stingray.proto.GcsNodeInfo;
import dev.stingray.proto.NodeDeathInfo;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * A real two-node cluster on this machine (separate temp dirs), started and stopped with the real CLI;
 * node failure injected with a real {@code kill -9}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterE2ETest {

    private static StingrayCliDriver cli;
    private static StingrayNode head;
    private static StingrayNode worker;
    private static GcsClient gcs;

    @BeforeAll
    static void startCluster() {
        cli = new StingrayCliDriver(StingrayCliDriver.FAST_HEALTH_CHECKS);
        head = cli.startHead();
        worker = cli.startWorker(StingrayCliDriver.gcsAddress(head));
        gcs = new GcsClient(StingrayCliDriver.gcsAddress(head), Duration.ofSeconds(5));
    }

    @AfterAll
    static void stopCluster() {
        if (gcs != null) {
            gcs.close();
        }
        if (cli != null) {
            cli.close();
        }
    }

    private static GcsNodeInfo node(StingrayNode n) {
        return gcs.getAllNodeInfo().stream().filter(i -> NodeId.fromBytes(i.getNodeId()).hex().equals(n.nodeIdHex()))
                .findFirst().orElseThrow();
    }

    @Test
    @Order(1)
    void bothNodesAreAliveInStatusAndEveryDaemonIsRegistered() {
        String status = cli.ok("status", "--temp-dir=" + head.tempDir()).stdout();
        assertThat(status).contains("Active:").contains(" 1 node_" + head.nodeIdHex()).contains(" 1 node_" + worker.nodeIdHex())
                .contains("Total Usage:").contains("0.0/3.0 CPU").contains("(no failures)");
        assertThat(node(worker).getIsHeadNode()).isFalse();
        assertThat(node(head).getIsHeadNode()).isTrue();

        var services = new ServiceRegistry(gcs).list("");
        assertThat(services).extracting(r -> r.service() + ":" + r.nodeId()).contains(
                "gcs_server:" + head.nodeIdHex(), "raylet:" + head.nodeIdHex(), "ray_client_server:" + head.nodeIdHex(),
                "dashboard_agent:" + head.nodeIdHex(), "log_monitor:" + head.nodeIdHex(),
                "raylet:" + worker.nodeIdHex(), "dashboard_agent:" + worker.nodeIdHex(), "log_monitor:" + worker.nodeIdHex());
        assertThat(gcs.kvGetString(KvNamespaces.DASHBOARD, KvNamespaces.DASHBOARD_AGENT_ADDR_NODE_ID_PREFIX + worker.nodeIdHex()))
                .get().asString().startsWith("[\"127.0.0.1\", ");
        assertThat(cli.ok("list", "services", "--temp-dir=" + head.tempDir()).stdout()).contains("ray_client_server");
    }

    @Test
    @Order(2)
    void kvRoundTripThroughTheCli() {
        cli.ok("kv", "put", "--temp-dir=" + head.tempDir(), "-n", "e2e", "greeting", "hello");
        assertThat(cli.ok("kv", "get", "--temp-dir=" + head.tempDir(), "-n", "e2e", "greeting").stdout().trim()).isEqualTo("hello");
        assertThat(cli.ok("kv", "list", "--temp-dir=" + head.tempDir(), "-n", "e2e").stdout()).contains("greeting");
        CliRun missing = cli.run("kv", "get", "--temp-dir=" + head.tempDir(), "-n", "e2e", "nope");
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.stderr()).contains("Key 'nope' not found in namespace 'e2e'");
    }

    @Test
    @Order(3)
    void badInputGetsClearErrorsAndTheClusterKeepsRunning() throws IOException {
        CliRun reserved = cli.run("kv", "put", "--temp-dir=" + head.tempDir(), "@namespace_x:y", "v");
        assertThat(reserved.exitCode()).isEqualTo(1);
        assertThat(reserved.stderr()).contains("INVALID_ARGUMENT").contains("@namespace_x:y");

        CliRun badJson = cli.run("start", "--head", "--port=0", "--temp-dir=" + cli.newTempDir(), "--resources={\"a\": ");
        assertThat(badJson.exitCode()).isEqualTo(1);
        assertThat(badJson.stderr()).contains("Invalid --resources").contains("{\"a\": ");

        CliRun cpuInResources = cli.run("start", "--head", "--port=0", "--temp-dir=" + cli.newTempDir(), "--resources={\"CPU\": 2}");
        assertThat(cpuInResources.stderr()).contains("--num-cpus");

        int closed;
        try (var s = new java.net.ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        CliRun wrongAddress = cli.run("start", "--address=127.0.0.1:" + closed, "--temp-dir=" + cli.newTempDir());
        assertThat(wrongAddress.exitCode()).isEqualTo(1);
        assertThat(wrongAddress.stderr()).contains("Unable to connect to GCS at 127.0.0.1:" + closed);

        CliRun notAnAddress = cli.run("status", "--address=localhost");
        assertThat(notAnAddress.exitCode()).isEqualTo(1);
        assertThat(notAnAddress.stderr()).contains("Invalid address 'localhost'");

        assertThat(gcs.checkAlive(List.of(NodeId.fromHex(head.nodeIdHex())), Duration.ofSeconds(2)).getRayletAlive(0)).isTrue();
        assertThat(cli.ok("kv", "get", "--temp-dir=" + head.tempDir(), "-n", "e2e", "greeting").stdout().trim()).isEqualTo("hello");
    }

    @Test
    @Order(4)
    void killedRayletIsMarkedDeadWithinTheHealthCheckBudget() throws Exception {
        long raylet = worker.pid("raylet");
        long agent = worker.pid("dashboard_agent");
        long killedAt = System.nanoTime();
        Process kill = new ProcessBuilder("kill", "-9", Long.toString(raylet)).start();
        assertThat(kill.waitFor()).isZero();

        // initial delay 1 s + period 0.5 s × threshold 3, plus slack for 2 busy cores.
        Duration budget = Duration.ofMillis(1000 + 500 * 3).plusSeconds(10);
        await().atMost(budget).pollInterval(Duration.ofMillis(100))
                .until(() -> node(worker).getState() == GcsNodeInfo.GcsNodeState.DEAD);
        double seconds = (System.nanoTime() - killedAt) / 1e9;
        System.out.printf("Killed raylet detected DEAD after %.2f s%n", seconds);

        GcsNodeInfo dead = node(worker);
        assertThat(dead.getDeathInfo().getReason()).isEqualTo(NodeDeathInfo.Reason.UNEXPECTED_TERMINATION);
        assertThat(dead.getDeathInfo().getReasonMessage()).contains("missed too many heartbeats");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(new ServiceRegistry(gcs).list(""))
                .noneMatch(r -> r.nodeId().equals(worker.nodeIdHex())));
        // The dashboard agent fate-shares with its raylet.
        await().atMost(Duration.ofSeconds(15)).until(() -> ProcessHandle.of(agent).map(p -> !p.isAlive()).orElse(true));

        String status = cli.ok("status", "--temp-dir=" + head.tempDir()).stdout();
        assertThat(status).contains("node_" + worker.nodeIdHex() + " (127.0.0.1): UNEXPECTED_TERMINATION");
    }

    @Test
    @Order(5)
    void gracefulStopUnregistersWithExpectedTermination() {
        StingrayNode third = cli.startWorker(StingrayCliDriver.gcsAddress(head));
        assertThat(node(third).getState()).isEqualTo(GcsNodeInfo.GcsNodeState.ALIVE);
        long raylet = third.pid("raylet");

        assertThat(cli.ok("stop", "--temp-dir=" + third.tempDir()).stdout()).contains("Stopped all 3 Stingray processes.");

        GcsNodeInfo stopped = node(third);
        assertThat(stopped.getState()).isEqualTo(GcsNodeInfo.GcsNodeState.DEAD);
        assertThat(stopped.getDeathInfo().getReason()).isEqualTo(NodeDeathInfo.Reason.EXPECTED_TERMINATION);
        // Exited when stop returns: at most a zombie is left until the machine's init reaps it.
        assertThat(ProcessHandle.of(raylet).map(dev.stingray.common.launch.DaemonStopper::running).orElse(false)).isFalse();
        assertThat(cli.ok("stop", "--temp-dir=" + third.tempDir()).stdout()).contains("Did not find any active Stingray processes.");
        assertThat(node(head).getState()).isEqualTo(GcsNodeInfo.GcsNodeState.ALIVE);
    }
}
