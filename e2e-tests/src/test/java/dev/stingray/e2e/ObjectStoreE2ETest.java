package dev.stingray.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stingray.e2e.tasks.ObjectTasks;
import dev.stingray.proto.GetObjectStoreStatsReply;
import io.ray.api.ObjectRef;
import io.ray.api.Ray;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.awaitility.Awaitility.await;

/**
 * The per-node object store on a real two-node cluster: a head whose store holds 200 MiB takes
 * 5 × 80 MiB (spilled to {@code <session>/spill} and restored on read), a 100 MiB task return made on
 * the worker node is read by the driver on the head (node-to-node transfer), a 100 MiB put by the driver
 * is the argument of a task on the worker node, and freed objects leave no spill files. Prints put and get
 * throughputs (Ray's {@code single_client_put_gigabytes} style).
 */
class ObjectStoreE2ETest {

    private static final int MB = 1024 * 1024;

    private static StingrayCliDriver cli;
    private static StingrayNode head;
    private static StingrayNode worker;

    @BeforeAll
    static void startCluster() {
        cli = new StingrayCliDriver(Map.of());
        head = cli.startHead("--num-cpus=1", "--object-store-memory=" + 200 * MB);
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
    void moreObjectsThanTheStoreHoldsAreSpilledAndReadBack() throws IOException {
        List<ObjectRef<byte[]>> refs = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            refs.add(Ray.put(ObjectTasks.pattern(80 * MB, i)));
        }
        Path spill = head.sessionDir().resolve("spill");
        assertThat(files(spill)).hasSizeGreaterThanOrEqualTo(3);
        GetObjectStoreStatsReply stats = head.objectStoreStats();
        assertThat(stats.getCapacity()).isLessThanOrEqualTo(200L * MB);
        assertThat(stats.getUsedBytes()).isLessThanOrEqualTo(stats.getCapacity());

        for (int i = 0; i < 5; i++) {
            byte[] value = refs.get(i).get();
            assertThat(value.length).isEqualTo(80 * MB);
            assertThat(ObjectTasks.matches(value, i)).as("content of object %d", i).isTrue();
        }
        assertThat(head.objectStoreStats().getRestoredBytesTotal()).isGreaterThanOrEqualTo(80L * MB);

        Ray.internal().free(new ArrayList<>(refs), false);
        assertThat(files(spill)).isEmpty();
        assertThat(head.objectStoreStats().getNumObjects()).isZero();
    }

    @Test
    void aLargeReturnMadeOnTheWorkerNodeIsReadByTheDriverOnTheHead() {
        ObjectRef<byte[]> ref = Ray.task(ObjectTasks::pattern, 100 * MB, 7).setResource("worker_only", 1.0).remote();
        byte[] value = ref.get();
        assertThat(value.length).isEqualTo(100 * MB);
        assertThat(ObjectTasks.matches(value, 7)).isTrue();
        // The primary copy is in the worker node's store; the head holds the pulled copy.
        assertThat(worker.objectStoreStats().getNumObjects()).isGreaterThanOrEqualTo(1);
        Ray.internal().free(List.of(ref), false);
        await().atMost(Duration.ofSeconds(10)).until(() -> worker.objectStoreStats().getNumObjects() == 0 && head.objectStoreStats().getNumObjects() == 0);
    }

    @Test
    void aLargeObjectPutByTheDriverIsTheArgumentOfATaskOnTheOtherNode() {
        ObjectRef<byte[]> data = Ray.put(ObjectTasks.pattern(100 * MB, 3));
        String result = Ray.task(ObjectTasks::check, data, 3).setResource("worker_only", 1.0).remote().get();
        assertThat(result).isEqualTo(worker.nodeIdHex() + ":" + 100 * MB + ":true");
        Ray.internal().free(List.of(data), false);
    }

    @Test
    void throughputOfLargePutsAndGets() {
        byte[] value = ObjectTasks.pattern(100 * MB, 1);
        // Ray's single_client_put_gigabytes: put 100 MiB repeatedly (each freed), after warm-up.
        double putGbps = 0;
        for (int round = 0; round < 3; round++) {
            long start = System.nanoTime();
            for (int i = 0; i < 10; i++) {
                ObjectRef<byte[]> ref = Ray.put(value);
                Ray.internal().free(List.of(ref), false);
            }
            putGbps = 10.0 * value.length / (System.nanoTime() - start);
        }
        ObjectRef<byte[]> local = Ray.put(value);
        double localGetGbps = 0;
        for (int round = 0; round < 3; round++) {
            long start = System.nanoTime();
            for (int i = 0; i < 5; i++) {
                assertThat(local.get().length).isEqualTo(value.length);
            }
            localGetGbps = 5.0 * value.length / (System.nanoTime() - start);
        }
        Ray.internal().free(List.of(local), false);
        // Fresh objects on the worker node: each get pulls 100 MiB to the head in 5 MiB chunks.
        List<ObjectRef<byte[]>> remote = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            remote.add(Ray.task(ObjectTasks::pattern, 100 * MB, i).setResource("worker_only", 1.0).remote());
        }
        Ray.wait(remote, remote.size(), 300_000);
        long remoteNanos = 0;
        for (ObjectRef<byte[]> ref : remote) {
            long start = System.nanoTime();
            assertThat(ref.get().length).isEqualTo(100 * MB);
            remoteNanos += System.nanoTime() - start;
        }
        double remoteGetGbps = 4.0 * 100 * MB / remoteNanos;
        Ray.internal().free(new ArrayList<>(remote), false);
        System.out.printf("OBJECT STORE THROUGHPUT: put 100 MiB %.2f GB/s, get same node %.2f GB/s, get from other node %.2f GB/s%n",
                putGbps, localGetGbps, remoteGetGbps);
        assertThat(putGbps).isPositive();
    }

    private static List<Path> files(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        }
    }

}
