package dev.stingray.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.stingray.e2e.tasks.Tasks;
import io.ray.api.ObjectRef;
import io.ray.api.Ray;
import io.ray.api.exception.RayWorkerException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Scheduling and failure handling across a real two-node cluster: resource requests that force
 * spillback to the other node, tasks spread over both nodes, a worker {@code kill -9}'d mid-task and
 * retried, and retries exhausted ending in {@link RayWorkerException}.
 */
class RaySchedulingE2ETest {

    private static StingrayCliDriver cli;
    private static StingrayNode head;
    private static StingrayNode worker;

    @BeforeAll
    static void startCluster() {
        cli = new StingrayCliDriver(Map.of());
        head = cli.startHead("--num-cpus=1");
        worker = cli.startWorker(StingrayCliDriver.gcsAddress(head), "--num-cpus=1", "--resources={\"worker_only\": 1}");
        TestDriver.init(StingrayCliDriver.gcsAddress(head));
    }

    @AfterAll
    static void stop() {
        try {
            TestDriver.shutdown();
        } finally {
            cli.close();
        }
    }

    @Test
    void aResourceOnlyTheOtherNodeHasSpillsTheTaskThere() {
        String node = Ray.task(Tasks::nodeId).setResource("worker_only", 1.0).remote().get();
        assertThat(node).isEqualTo(worker.nodeIdHex());
    }

    @Test
    void busyLocalNodeSpillsTasksToTheOtherNode() {
        List<ObjectRef<String>> refs = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            refs.add(Ray.task(Tasks::nodeIdAfter, 1500).remote());
        }
        Set<String> nodes = new HashSet<>(Ray.get(refs));
        assertThat(nodes).containsExactlyInAnyOrder(head.nodeIdHex(), worker.nodeIdHex());
    }

    @Test
    void aWorkerKilledMidTaskIsRetried() throws Exception {
        Path marker = Files.createTempDirectory("retry").resolve("first-attempt-pid");
        ObjectRef<Long> ref = Ray.task(Tasks::slowFirstAttempt, marker.toString()).remote();
        await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(marker) && !Files.readString(marker).isBlank());
        long firstPid = Long.parseLong(Files.readString(marker).trim());
        assertThat(new ProcessBuilder("kill", "-9", Long.toString(firstPid)).start().waitFor()).isZero();

        long retriedPid = ref.get(60_000);
        assertThat(retriedPid).isNotEqualTo(firstPid);
    }

    @Test
    void retriesExhaustedSurfaceAsRayWorkerException() {
        ObjectRef<Integer> ref = Ray.task(Tasks::crash).remote();
        assertThatThrownBy(() -> ref.get(120_000)).isInstanceOf(RayWorkerException.class)
                .hasMessageContaining("died or was unreachable");
    }
}
