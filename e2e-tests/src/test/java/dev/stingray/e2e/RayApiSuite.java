package dev.stingray.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stingray.e2e.actors.Counter;
import dev.stingray.e2e.runtimeenv.RuntimeEnvTasks;
import dev.stingray.e2e.tasks.ObjectTasks;
import io.ray.api.ActorHandle;
import io.ray.api.PlacementGroups;
import io.ray.api.options.ActorLifetime;
import io.ray.api.options.PlacementGroupCreationOptions;
import io.ray.api.placementgroup.PlacementGroup;
import io.ray.api.placementgroup.PlacementGroupState;
import io.ray.api.placementgroup.PlacementStrategy;
import io.ray.api.runtimeenv.RuntimeEnv;
import java.util.Optional;
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
    /** A second node with one CPU and {"worker": 2}: work that asks for "worker" runs there (and tasks spill there when the head is full). */
    static StingrayNode worker;
    static String gcsAddress;
    static ConsoleCapture console;

    /**
     * Starts a two-CPU head node and a second node ({@link #worker}), and this JVM's driver at the address
     * {@code addressOf} picks from the head.
     */
    static void startClusterAndDriver(Function<StingrayNode, String> addressOf) {
        cli = new StingrayCliDriver(Map.of());
        head = cli.startHead("--num-cpus=2");
        gcsAddress = StingrayCliDriver.gcsAddress(head);
        worker = cli.startWorker(gcsAddress, "--num-cpus=1", "--resources={\"worker\":2}");
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

    // ---------------------------------------------------------------- actors, placement groups, runtime envs, nodes

    @Test
    void actorsKeepStateRunCallsInOrderAndTheirHandlesPassIntoTasks() {
        ActorHandle<Counter> counter = Ray.actor(Counter::new, 10).remote();
        List<ObjectRef<Integer>> sums = new ArrayList<>();
        for (int i = 1; i <= 20; i++) {
            sums.add(counter.task(Counter::add, i).remote());
        }
        assertThat(Ray.get(sums).get(19)).isEqualTo(10 + 210);
        assertThat(Ray.get(sums)).isSorted();
        assertThat(Ray.task(Counter::incrementThrough, counter).remote().get()).isEqualTo(221);
        assertThat(counter.task(Counter::get).remote().get()).isEqualTo(221);
    }

    @Test
    void anActorAskingForTheSecondNodesResourceRunsThere() {
        ActorHandle<Counter> placed = Ray.actor(Counter::new).setResource("worker", 1.0).remote();
        assertThat(placed.task(Counter::nodeId).remote().get()).isEqualTo(worker.nodeIdHex());
        assertThat(Ray.task(Tasks::nodeId).setResource("worker", 1.0).remote().get()).isEqualTo(worker.nodeIdHex());
    }

    @Test
    void namedActorsAreFoundKilledAndUniquePerNamespace() {
        String name = "named-" + UUID.randomUUID();
        ActorHandle<Counter> counter = Ray.actor(Counter::new).setName(name).setMaxRestarts(1).remote();
        counter.task(Counter::add, 5).remote().get();
        Optional<ActorHandle<Counter>> found = Ray.getActor(name);
        assertThat(found).isPresent();
        assertThat(found.get().task(Counter::get).remote().get()).isEqualTo(5);
        assertThat(Ray.getActor("no-such-actor-" + UUID.randomUUID())).isEmpty();
        assertThatThrownBy(() -> Ray.actor(Counter::new).setName(name).remote())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(name);

        // kill without noRestart: the actor restarts (state lost); with it, the name is gone for good.
        counter.kill(false);
        Awaitility.await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                .until(() -> counter.task(Counter::wasRestarted).remote().get(10_000));
        counter.kill();
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> Ray.getActor(name).isEmpty());
    }

    @Test
    void detachedActorsOutliveTheirHandleLookups() {
        String name = "detached-" + UUID.randomUUID();
        ActorHandle<Counter> detached = Ray.actor(Counter::new, 1).setName(name).setLifetime(ActorLifetime.DETACHED).remote();
        assertThat(detached.task(Counter::increment).remote().get()).isEqualTo(2);
        Optional<ActorHandle<Counter>> again = Ray.getActor(name, Ray.getRuntimeContext().getNamespace());
        assertThat(again).isPresent();
        assertThat(again.get().task(Counter::increment).remote().get()).isEqualTo(3);
        detached.kill();
    }

    @Test
    void placementGroupsReserveBundlesForTasksAndActors() {
        String name = "pg-" + UUID.randomUUID();
        PlacementGroup group = PlacementGroups.createPlacementGroup(new PlacementGroupCreationOptions.Builder()
                .setBundles(List.of(Map.of("CPU", 1.0), Map.of("worker", 1.0))).setStrategy(PlacementStrategy.SPREAD).setName(name).build());
        assertThat(group.wait(60)).isTrue();
        assertThat(PlacementGroups.getPlacementGroup(name).getId()).isEqualTo(group.getId());
        assertThat(PlacementGroups.getPlacementGroup(group.getId()).getState()).isEqualTo(PlacementGroupState.CREATED);
        assertThat(PlacementGroups.getAllPlacementGroups()).extracting(PlacementGroup::getId).contains(group.getId());

        assertThat(Ray.task(Tasks::nodeId).setPlacementGroup(group, 0).remote().get()).isEqualTo(head.nodeIdHex());
        ActorHandle<Counter> inBundle = Ray.actor(Counter::new).setResource("worker", 1.0).setPlacementGroup(group, 1).remote();
        assertThat(inBundle.task(Counter::nodeId).remote().get()).isEqualTo(worker.nodeIdHex());
        assertThatThrownBy(() -> Ray.task(Tasks::nodeId).setPlacementGroup(group, 2).remote())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bundle index 2");
        assertThatThrownBy(() -> PlacementGroups.createPlacementGroup(new PlacementGroupCreationOptions.Builder()
                .setBundles(List.of(Map.of("CPU", 1.0))).setStrategy(PlacementStrategy.PACK).setName(name).build()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(name);

        inBundle.kill();
        PlacementGroups.removePlacementGroup(group.getId());
        Awaitility.await().atMost(Duration.ofSeconds(30))
                .until(() -> PlacementGroups.getPlacementGroup(group.getId()).getState() == PlacementGroupState.REMOVED);
    }

    @Test
    void runtimeEnvsBringEnvVarsJvmOptionsAndJarsFromTheDriversDisk() throws Exception {
        java.nio.file.Path jar = HiddenJar.build(java.nio.file.Files.createTempDirectory("suite-jar"), "SuiteGreeter", "hello from");
        RuntimeEnv env = new RuntimeEnv.Builder().build();
        env.set("env_vars", Map.of("SUITE_VAR", "suite value"));
        env.set("java_jars", List.of(jar.toString()));
        env.set("jvm_options", List.of("-Dsuite.property=from the env"));
        assertThat(Ray.task(RuntimeEnvTasks::env, "SUITE_VAR").setRuntimeEnv(env).remote().get()).isEqualTo("suite value");
        assertThat(Ray.task(RuntimeEnvTasks::property, "suite.property").setRuntimeEnv(env).remote().get()).isEqualTo("from the env");
        assertThat(Ray.task(RuntimeEnvTasks::callHidden, "hidden.SuiteGreeter", "the suite").setRuntimeEnv(env).remote().get())
                .isEqualTo("hello from the suite");
        ActorHandle<RuntimeEnvTasks.EnvReader> reader = Ray.actor(RuntimeEnvTasks.EnvReader::new).setRuntimeEnv(env).remote();
        assertThat(reader.task(RuntimeEnvTasks.EnvReader::read, "SUITE_VAR").remote().get()).isEqualTo("suite value");
        reader.kill();
    }

    @Test
    void allNodeInfoListsBothNodes() {
        assertThat(Ray.getRuntimeContext().getAllNodeInfo()).filteredOn(n -> n.isAlive)
                .extracting(n -> n.nodeId.toString()).contains(head.nodeIdHex(), worker.nodeIdHex());
        assertThat(Ray.getRuntimeContext().getAllNodeInfo()).filteredOn(n -> n.nodeId.toString().equals(worker.nodeIdHex()))
                .singleElement().satisfies(n -> assertThat(n.resources).containsEntry("worker", 2.0));
    }
}
