package dev.stingray.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stingray.common.gcs.GcsClient;
import dev.stingray.e2e.tasks.Tasks;
import io.ray.api.ObjectRef;
import io.ray.api.Ray;
import io.ray.api.WaitResult;
import io.ray.api.exception.RayTaskException;
import io.ray.api.exception.RayTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * An ordinary Ray Java program (only io.ray.api calls) run as an in-cluster driver against a real
 * cluster started by the CLI: objects, tasks on worker JVMs leased from the raylet, ObjectRef
 * arguments, nested tasks, errors.
 */
class RayTasksE2ETest {

    private static StingrayCliDriver cli;
    private static String gcsAddress;
    private static final java.io.ByteArrayOutputStream CONSOLE = new java.io.ByteArrayOutputStream();
    private static java.io.PrintStream originalOut;

    @BeforeAll
    static void startClusterAndDriver() {
        cli = new StingrayCliDriver(Map.of());
        StingrayNode head = cli.startHead("--num-cpus=2");
        gcsAddress = StingrayCliDriver.gcsAddress(head);
        System.setProperty("ray.address", gcsAddress);
        System.setProperty("ray.job.code-search-path", Path.of("target/test-classes").toAbsolutePath().toString());
        // Capture the driver's console (worker output is printed there) while still showing it.
        originalOut = System.out;
        java.io.PrintStream shown = originalOut;
        System.setOut(new java.io.PrintStream(new java.io.OutputStream() {
            @Override
            public void write(int b) {
                shown.write(b);
                synchronized (CONSOLE) {
                    CONSOLE.write(b);
                }
            }

            @Override
            public void write(byte[] b, int off, int len) {
                shown.write(b, off, len);
                synchronized (CONSOLE) {
                    CONSOLE.write(b, off, len);
                }
            }
        }, true));
        Ray.init();
    }

    @AfterAll
    static void stop() {
        try {
            if (Ray.isInitialized()) {
                Ray.shutdown();
            }
        } finally {
            System.setOut(originalOut);
            System.clearProperty("ray.address");
            System.clearProperty("ray.job.code-search-path");
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
        byte[] big = new byte[20 * 1024 * 1024];
        assertThat(Ray.task(Tasks::length, Ray.put(big)).remote().get()).isEqualTo(big.length);
    }

    @Test
    void nestedTasks() {
        assertThat(Ray.task(Tasks::nested, 5).remote().get()).isEqualTo(15);
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
    void manyTinyTasks() {
        List<ObjectRef<Integer>> refs = IntStream.range(0, 1000).mapToObj(i -> Ray.task(Tasks::add, i, 1).remote()).toList();
        assertThat(Ray.get(refs).stream().mapToInt(Integer::intValue).sum()).isEqualTo(IntStream.range(0, 1000).map(i -> i + 1).sum());
    }

    @Test
    void workerOutputIsPrintedOnTheDriverWithRaysPrefix() {
        String marker = "printed by a worker " + java.util.UUID.randomUUID();
        long pid = Ray.task(Tasks::pid).remote().get();
        assertThat(Ray.task(Tasks::printLine, marker).remote().get()).isEqualTo(marker);
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> CONSOLE.toString().contains(marker));
        String line = CONSOLE.toString().lines().filter(l -> l.contains(marker)).findFirst().orElseThrow();
        assertThat(line).matches("\\(dev\\.stingray\\.e2e\\.tasks\\.Tasks\\.printLine pid=\\d+, ip=127\\.0\\.0\\.1\\) " + marker);
    }

    @Test
    void theJobIsRecordedInTheGcs() {
        try (GcsClient gcs = new GcsClient(gcsAddress, Duration.ofSeconds(5))) {
            assertThat(gcs.getAllJobInfo()).anySatisfy(j -> {
                assertThat(j.getDriverPid()).isEqualTo(ProcessHandle.current().pid());
                assertThat(j.getIsDead()).isFalse();
            });
        }
    }
}
