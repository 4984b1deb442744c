package dev.stingray.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stingray.e2e.tasks.ObjectTasks;
import dev.stingray.e2e.tasks.Tasks;
import io.ray.api.ObjectRef;
import io.ray.api.Ray;
import io.ray.api.WaitResult;
import io.ray.api.exception.RayTaskException;
import io.ray.api.exception.RayTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.IntStream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * One ordinary Ray Java program (only {@code io.ray.api} calls) against a real one-node cluster started
 * by the CLI: objects of many types up to 100 MiB, tasks on worker JVMs, ObjectRef arguments and refs
 * nested in values, nested tasks, errors, wait and timeouts, 10,000 tiny tasks and worker output on the
 * driver's console. Each subclass runs it through one way of connecting: in-cluster driver or Ray Client.
 */
abstract class RayApiSuite {

    private static final int MB = 1024 * 1024;

    static StingrayCliDriver cli;
    static StingrayNode head;
    static String gcsAddress;
    static ConsoleCapture console;

    /** Starts a two-CPU head node and this JVM's driver at the address {@code addressOf} picks from it. */
    static void startClusterAndDriver(Function<StingrayNode, String> addressOf) {
        cli = new StingrayCliDriver(Map.of());
        head = cli.startHead("--num-cpus=2");
        gcsAddress = StingrayCliDriver.gcsAddress(head);
        console = ConsoleCapture.start();
        TestDriver.init(addressOf.apply(head));
    }

    @AfterAll
    static void stopDriverAndCluster() {
        try {
            TestDriver.shutdown();
        } finally {
            if (console != null) {
                console.close();
            }
            cli.close();
        }
    }

    @Test
    void putAndGetManyTypes() {
        Map<String, List<Integer>> map = new HashMap<>();
        map.put("a", List.of(1, 2, 3));
        assertThat(Ray.get(Ray.put(42))).isEqualTo(42);
        assertThat(Ray.get(Ray.put("text"))).isEqualTo("text");
        assertThat(Ray.get(Ray.put(map))).isEqualTo(map);
        assertThat(Ray.get(Ray.put(new byte[] {1, 2, 3}))).containsExactly(1, 2, 3);
        assertThat(Ray.get(Ray.put(new ArrayList<>(List.of("x", "y"))))).containsExactly("x", "y");
        assertThat(Ray.get(Ray.put(new double[] {0.5, 1.5}))).containsExactly(0.5, 1.5);
        assertThat(Ray.get(Ray.put((Object) null))).isNull();
    }

    @Test
    void aHundredMebibyteByteArrayRoundTrips() {
        byte[] big = new byte[100 * MB];
        for (int i = 0; i < big.length; i += 4096) {
            big[i] = (byte) (i / 4096);
        }
        ObjectRef<byte[]> ref = Ray.put(big);
        assertThat(Arrays.equals(Ray.get(ref), big)).isTrue();
        assertThat(Ray.task(Tasks::length, ref).remote().get()).isEqualTo(big.length);
        Ray.internal().free(List.of(ref), false);
    }

    @Test
    void objectsNoOneReferencesAreFreedFromTheNodesStore() {
        // Earlier tests' objects may still be on their way out: start from a settled store.
        long[] last = {-1};
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).until(() -> {
            System.gc();
            long used = head.objectStoreStats().getUsedBytes();
            boolean settled = used == last[0];
            last[0] = used;
            return settled;
        });
        long before = last[0];
        List<ObjectRef<byte[]>> refs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            refs.add(Ray.put(ObjectTasks.pattern(20 * MB, i)));
        }
        for (int i = 0; i < 2; i++) {
            refs.add(Ray.task(ObjectTasks::pattern, 20 * MB, i).remote());
        }
        assertThat(Ray.wait(refs, refs.size(), 60_000).getReady()).hasSize(5);
        assertThat(head.objectStoreStats().getUsedBytes()).isGreaterThanOrEqualTo(before + 100L * MB);
        refs.clear();
        // Ray frees an object when its last ref is gone; in Java, when the garbage collector finds it so.
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300)).until(() -> {
            System.gc();
            return head.objectStoreStats().getUsedBytes() <= before;
        });
    }

    @Test
    void tasksRunOnWorkerJvmsAndReturnValues() {
        assertThat(Ray.task(Tasks::add, 1, 2).remote().get()).isEqualTo(3);
        assertThat(Ray.task(Tasks::echo, "hi").remote().get()).isEqualTo("hi");
        long workerPid = Ray.task(Tasks::pid).remote().get();
        assertThat(workerPid).isNotEqualTo(ProcessHandle.current().pid());
    }

    @Test
    void objectRefsPassedAsArgumentsAndNestedInValues() {
        ObjectRef<Integer> first = Ray.task(Tasks::add, 1, 2).remote();
        ObjectRef<Integer> second = Ray.task(Tasks::add, first, 10).remote();
        assertThat(second.get()).isEqualTo(13);
        List<ObjectRef<Integer>> refs = List.of(Ray.put(5), Ray.task(Tasks::add, 2, 2).remote());
        assertThat(Ray.task(Tasks::sumOfRefs, refs).remote().get()).isEqualTo(9);
        // Refs inside a value come back as refs the driver can get and pass to tasks.
        List<ObjectRef<Integer>> back = Ray.get(Ray.put(new ArrayList<>(refs)));
        assertThat(Ray.get(back)).containsExactly(5, 4);
        assertThat(Ray.task(Tasks::add, back.get(0), 1).remote().get()).isEqualTo(6);
        byte[] big = new byte[20 * MB];
        assertThat(Ray.task(Tasks::length, Ray.put(big)).remote().get()).isEqualTo(big.length);
    }

    @Test
    void nestedTasks() {
        assertThat(Ray.task(Tasks::nested, 5).remote().get()).isEqualTo(15);
    }

    @Test
    void tasksWaitingInGetLendTheirCpusSoAChainDeeperThanTheCpuCountFinishes() {
        // Two CPUs on the node; four tasks each wait for the next one.
        assertThat(Ray.task(Tasks::chain, 4).remote().get()).isEqualTo(4);
    }

    @Test
    void userExceptionsArriveAsRayTaskExceptionWithTheRemoteStackTrace() {
        ObjectRef<Integer> failing = Ray.task(Tasks::fail, "boom 42").remote();
        assertThatThrownBy(failing::get).isInstanceOf(RayTaskException.class)
                .hasMessageContaining("boom 42").hasMessageContaining("Tasks.fail")
                .hasRootCauseInstanceOf(IllegalStateException.class);
    }

    @Test
    void waitAndGetTimeouts() {
        ObjectRef<Integer> slow = Ray.task(Tasks::sleepMillis, 3000).remote();
        ObjectRef<Integer> fast = Ray.put(1);
        WaitResult<Integer> result = Ray.wait(List.of(slow, fast), 1, 2000);
        assertThat(result.getReady()).containsExactly(fast);
        assertThat(result.getUnready()).containsExactly(slow);
        assertThatThrownBy(() -> Ray.get(slow, 10)).isInstanceOf(RayTimeoutException.class);
        assertThat(Ray.wait(List.of(slow, fast), 2, 30_000).getReady()).hasSize(2);
    }

    @Test
    void tenThousandTinyTasks() {
        int n = 10_000;
        List<ObjectRef<Integer>> refs = IntStream.range(0, n).mapToObj(i -> Ray.task(Tasks::add, i, 1).remote()).toList();
        assertThat(Ray.get(refs).stream().mapToLong(Integer::longValue).sum()).isEqualTo((long) n * (n + 1) / 2);
    }

    @Test
    void workerOutputIsPrintedOnTheDriverWithRaysPrefix() {
        String marker = "printed by a worker " + UUID.randomUUID();
        assertThat(Ray.task(Tasks::printLine, marker).remote().get()).isEqualTo(marker);
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> console.text().contains(marker));
        String line = console.text().lines().filter(l -> l.contains(marker)).findFirst().orElseThrow();
        assertThat(line).matches("\\(dev\\.stingray\\.e2e\\.tasks\\.Tasks\\.printLine pid=\\d+, ip=127\\.0\\.0\\.1\\) " + marker);
    }
}
