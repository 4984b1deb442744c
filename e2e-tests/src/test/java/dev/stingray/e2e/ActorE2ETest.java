package dev.stingray.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import dev.stingray.common.rpc.GrpcChannels;
import dev.stingray.proto.client.ClientListNamedActorsRequest;
import dev.stingray.proto.client.RayletDriverGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import dev.stingray.e2e.actors.ActorDriver;
import dev.stingray.e2e.actors.ConcurrencyProbe;
import dev.stingray.e2e.actors.Counter;
import dev.stingray.e2e.actors.FailingActor;
import dev.stingray.proto.ActorDeathCause;
import dev.stingray.proto.ActorTableData;
import dev.stingray.proto.GetActorInfoRequest;
import dev.stingray.proto.GetAllActorInfoRequest;
import dev.stingray.proto.ListNamedActorsRequest;
import io.ray.api.ActorHandle;
import io.ray.api.ObjectRef;
import io.ray.api.Ray;
import io.ray.api.exception.RayActorException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Actors on a real cluster started by the CLI, driven by ordinary Ray Java code: ordering, threaded
 * actors, names across drivers, detached lifetimes, restarts after {@code kill -9} of the actor's worker
 * and of its node, kills, {@code Ray.exitActor()}, handles passed to tasks, and constructor errors.
 */
class ActorE2ETest {

    private static final String NAMESPACE = "actor-e2e";

    private static DriverCluster cluster;

    @BeforeAll
    static void start() {
        System.setProperty("ray.job.namespace", NAMESPACE);
        cluster = DriverCluster.start();
    }

    @AfterAll
    static void stop() {
        try {
            if (cluster != null) {
                cluster.close();
            }
        } finally {
            System.clearProperty("ray.job.namespace");
        }
    }

    private static ActorTableData info(ActorHandle<?> actor) {
        return cluster.gcs.actors().getActorInfo(GetActorInfoRequest.newBuilder().setActorId(ByteString.copyFrom(actor.getId().getBytes())).build())
                .getActorTableData();
    }

    @Test
    void aCounterRunsOneCallersCallsInOrder() {
        ActorHandle<Counter> counter = Ray.actor(Counter::new, 100).remote();
        List<ObjectRef<Integer>> results = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            results.add(counter.task(Counter::increment).remote());
        }
        assertThat(Ray.get(results)).containsExactlyElementsOf(IntStream.rangeClosed(101, 600).boxed().toList());
        assertThat(info(counter).getState()).isEqualTo(ActorTableData.ActorState.ALIVE);
        assertThat(counter.task(Counter::actorId).remote().get()).isEqualTo(counter.getId().toString());
        assertThat(counter.task(Counter::wasRestarted).remote().get()).isFalse();
    }

    @Test
    void anActorWithJvmOptionsGetsAWorkerStartedWithThemAndSeesItsResources() {
        ActorHandle<Counter> counter = Ray.actor(Counter::new).setJvmOptions(List.of("-Dstingray.e2e.flavor=lime"))
                .setResource("CPU", 1.0).remote();
        assertThat(counter.task(Counter::property, "stingray.e2e.flavor").remote().get()).isEqualTo("lime");
        assertThat(counter.task(Counter::resourceIds).remote().get()).containsEntry("CPU", 1);
        counter.kill();
    }

    @Test
    void aThreadedActorRunsCallsAtTheSameTime() {
        ActorHandle<ConcurrencyProbe> probe = Ray.actor(ConcurrencyProbe::new).setMaxConcurrency(4).remote();
        List<ObjectRef<Integer>> calls = IntStream.range(0, 4).mapToObj(i -> probe.task(ConcurrencyProbe::meet, 4).remote()).toList();
        assertThat(Ray.get(calls)).containsOnly(4);
    }

    @Test
    void aHandlePassedToATaskCallsTheSameActor() {
        ActorHandle<Counter> counter = Ray.actor(Counter::new).remote();
        assertThat(Ray.task(Counter::incrementThrough, counter).remote().get()).isEqualTo(1);
        assertThat(counter.task(Counter::increment).remote().get()).isEqualTo(2);
    }

    @Test
    void aNamedActorIsFoundByASecondDriverAndItsNameIsUniqueInTheNamespace() throws Exception {
        String name = "counter-" + UUID.randomUUID();
        ActorHandle<Counter> counter = Ray.actor(Counter::new).setName(name).remote();
        assertThat(counter.task(Counter::increment).remote().get()).isEqualTo(1);

        assertThat(runDriver(NAMESPACE, "increment", name)).contains("value=2");
        assertThat(counter.task(Counter::get).remote().get()).isEqualTo(2);
        assertThat(Ray.<ActorHandle<Counter>>getActor(name)).hasValueSatisfying(h -> assertThat(h.getId()).isEqualTo(counter.getId()));
        assertThat(Ray.getActor(name, "another-namespace")).isEmpty();
        assertThat(cluster.gcs.actors().listNamedActors(ListNamedActorsRequest.newBuilder().setRayNamespace(NAMESPACE).build()).getNamedActorsListList())
                .anySatisfy(n -> assertThat(n.getName()).isEqualTo(name));
        assertThat(cluster.cli.ok("list", "actors", "--temp-dir=" + cluster.head.tempDir()).stdout()).contains(name).contains("dev.stingray.e2e.actors.Counter")
                .contains("ALIVE").contains(NAMESPACE);
        // Ray Client's ray.util.list_named_actors(all_namespaces=True), through the cluster's Ray Client server.
        ManagedChannel channel = GrpcChannels.forAddress("127.0.0.1:" + cluster.head.port("ray_client_server_port").orElseThrow());
        try {
            Metadata metadata = new Metadata();
            metadata.put(Metadata.Key.of("client_id", Metadata.ASCII_STRING_MARSHALLER), "actor-e2e");
            String json = RayletDriverGrpc.newBlockingStub(channel).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(metadata))
                    .withDeadlineAfter(10, TimeUnit.SECONDS)
                    .listNamedActors(ClientListNamedActorsRequest.newBuilder().setAllNamespaces(true).build()).getActorsJson();
            assertThat(json).contains("{\"name\":\"" + name + "\",\"namespace\":\"" + NAMESPACE + "\"}");
        } finally {
            GrpcChannels.close(channel);
        }

        assertThatThrownBy(() -> Ray.actor(Counter::new).setName(name).remote())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Actor with name '" + name + "' already exists in the namespace " + NAMESPACE);
        // The same name in another namespace is fine.
        ActorHandle<Counter> elsewhere = Ray.actor(Counter::new).setName(name, "another-namespace").remote();
        assertThat(elsewhere.task(Counter::increment).remote().get()).isEqualTo(1);
    }

    @Test
    void aDetachedActorOutlivesItsDriverAndTheDriversOtherActorsDie() throws Exception {
        String name = "detached-" + UUID.randomUUID();
        assertThat(runDriver(NAMESPACE, "create-detached", name)).contains("detached=5 owned=5");

        ActorHandle<Counter> detached = Ray.<ActorHandle<Counter>>getActor(name).orElseThrow();
        assertThat(detached.task(Counter::increment).remote().get()).isEqualTo(6);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(Ray.getActor(name + "-owned")).isEmpty());
        List<ActorTableData> all = cluster.gcs.actors().getAllActorInfo(GetAllActorInfoRequest.getDefaultInstance()).getActorTableDataList();
        assertThat(all).anySatisfy(a -> {
            assertThat(a.getName()).isEqualTo(name + "-owned");
            assertThat(a.getState()).isEqualTo(ActorTableData.ActorState.DEAD);
            assertThat(a.getDeathCause().getReason()).isEqualTo(ActorDeathCause.Reason.OWNER_DIED);
        });
        detached.kill();
    }

    @Test
    void anActorIsRestartedAfterItsWorkerIsKilled() throws Exception {
        ActorHandle<Counter> counter = Ray.actor(Counter::new).setMaxRestarts(1).remote();
        assertThat(counter.task(Counter::add, 10).remote().get()).isEqualTo(10);
        long pid = counter.task(Counter::pid).remote().get();
        kill9(pid);

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            ActorTableData now = info(counter);
            assertThat(now.getState()).isEqualTo(ActorTableData.ActorState.ALIVE);
            assertThat(now.getNumRestarts()).isEqualTo(1);
        });
        // A restarted actor starts from its constructor again.
        assertThat(counter.task(Counter::get).remote().get()).isZero();
        assertThat(counter.task(Counter::wasRestarted).remote().get()).isTrue();
        assertThat(counter.task(Counter::pid).remote().get()).isNotEqualTo(pid);

        // No restarts left: the next death is final.
        kill9(counter.task(Counter::pid).remote().get());
        await().atMost(Duration.ofSeconds(30)).until(() -> info(counter).getState() == ActorTableData.ActorState.DEAD);
        assertThat(info(counter).getDeathCause().getReason()).isEqualTo(ActorDeathCause.Reason.WORKER_DIED);
        assertThatThrownBy(() -> counter.task(Counter::get).remote().get()).isInstanceOf(RayActorException.class)
                .hasMessageContaining("worker process has died");
    }

    @Test
    void callsWithRetriesSurviveARestart() throws Exception {
        ActorHandle<Counter> counter = Ray.actor(Counter::new).setMaxRestarts(-1).setMaxTaskRetries(-1).remote();
        long pid = counter.task(Counter::pid).remote().get();
        kill9(pid);
        // Sent while the actor is dead or restarting: held, then run by the new incarnation in order.
        List<ObjectRef<Integer>> results = IntStream.range(0, 20).mapToObj(i -> counter.task(Counter::increment).remote()).toList();
        assertThat(Ray.get(results)).containsExactlyElementsOf(IntStream.rangeClosed(1, 20).boxed().toList());
        assertThat(info(counter).getNumRestarts()).isEqualTo(1);
    }

    @Test
    void killWithNoRestartEndsDeadEvenWithRestartsLeft() {
        ActorHandle<Counter> counter = Ray.actor(Counter::new).setMaxRestarts(5).remote();
        assertThat(counter.task(Counter::increment).remote().get()).isEqualTo(1);
        long pid = counter.task(Counter::pid).remote().get();
        counter.kill(true);
        await().atMost(Duration.ofSeconds(20)).until(() -> info(counter).getState() == ActorTableData.ActorState.DEAD);
        assertThat(info(counter).getDeathCause().getReason()).isEqualTo(ActorDeathCause.Reason.RAY_KILL);
        assertThat(info(counter).getNumRestarts()).isZero();
        await().atMost(Duration.ofSeconds(20)).until(() -> ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true));
        assertThatThrownBy(() -> counter.task(Counter::get).remote().get()).isInstanceOf(RayActorException.class)
                .hasMessageContaining("killed by `ray.kill`");
    }

    @Test
    void killWithoutNoRestartRestartsTheActor() {
        ActorHandle<Counter> counter = Ray.actor(Counter::new).setMaxRestarts(1).remote();
        assertThat(counter.task(Counter::add, 7).remote().get()).isEqualTo(7);
        counter.kill(false);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            assertThat(info(counter).getState()).isEqualTo(ActorTableData.ActorState.ALIVE);
            assertThat(info(counter).getNumRestarts()).isEqualTo(1);
        });
        assertThat(counter.task(Counter::get).remote().get()).isZero();
    }

    @Test
    void exitActorEndsTheActorWithoutARestart() {
        ActorHandle<Counter> counter = Ray.actor(Counter::new).setMaxRestarts(3).remote();
        assertThatThrownBy(() -> counter.task(Counter::exit).remote().get()).isInstanceOf(RayActorException.class)
                .hasMessageContaining("Ray.exitActor()");
        await().atMost(Duration.ofSeconds(20)).until(() -> info(counter).getState() == ActorTableData.ActorState.DEAD);
        assertThat(info(counter).getDeathCause().getReason()).isEqualTo(ActorDeathCause.Reason.INTENDED_EXIT);
        assertThat(info(counter).getNumRestarts()).isZero();
    }

    @Test
    void aConstructorErrorKillsTheActorAndFailsItsCalls() {
        ActorHandle<FailingActor> actor = Ray.actor(FailingActor::new, "no database").remote();
        assertThatThrownBy(() -> actor.task(FailingActor::never).remote().get()).isInstanceOf(RayActorException.class)
                .hasMessageContaining("no database");
        assertThat(info(actor).getDeathCause().getReason()).isEqualTo(ActorDeathCause.Reason.CREATION_TASK_ERROR);
    }

    @Test
    void anActorWhoseNodeDiesIsRestartedOnAnotherNode() throws Exception {
        StingrayNode first = cluster.cli.startWorker(cluster.gcsAddress, "--num-cpus=1", "--resources={\"pinned\": 1}");
        ActorHandle<Counter> counter = Ray.actor(Counter::new).setResource("pinned", 1.0).setMaxRestarts(-1).remote();
        assertThat(counter.task(Counter::add, 3).remote().get()).isEqualTo(3);
        assertThat(counter.task(Counter::nodeId).remote().get()).isEqualTo(first.nodeIdHex());

        kill9(first.pid("raylet"));
        await().atMost(Duration.ofSeconds(30)).until(() -> info(counter).getState() == ActorTableData.ActorState.RESTARTING);
        StingrayNode second = cluster.cli.startWorker(cluster.gcsAddress, "--num-cpus=1", "--resources={\"pinned\": 1}");
        await().atMost(Duration.ofSeconds(60)).until(() -> info(counter).getState() == ActorTableData.ActorState.ALIVE);
        assertThat(counter.task(Counter::nodeId).remote().get()).isEqualTo(second.nodeIdHex());
        assertThat(counter.task(Counter::get).remote().get()).isZero();
        assertThat(counter.task(Counter::wasRestarted).remote().get()).isTrue();
        counter.kill();
    }

    private static void kill9(long pid) throws Exception {
        assertThat(new ProcessBuilder("kill", "-9", Long.toString(pid)).start().waitFor()).isZero();
    }

    /** Runs {@link ActorDriver} as a second driver (its own JVM and job) in {@code namespace}; returns its output. */
    private static String runDriver(String namespace, String... args) throws Exception {
        return SecondDriver.run(cluster.gcsAddress, List.of("-Dray.job.namespace=" + namespace), ActorDriver.class, args);
    }
}
