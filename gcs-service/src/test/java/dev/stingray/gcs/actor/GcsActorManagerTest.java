package dev.stingray.gcs.actor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.stingray.common.error.ErrorCode;
import dev.stingray.common.error.StingrayException;
import dev.stingray.gcs.pubsub.GcsPublisher;
import dev.stingray.gcs.store.GcsTable;
import dev.stingray.gcs.store.InMemoryStoreClient;
import dev.stingray.proto.ActorCreationTaskSpec;
import dev.stingray.proto.ActorDeathCause;
import dev.stingray.proto.ActorTableData;
import dev.stingray.proto.ActorTableData.ActorState;
import dev.stingray.proto.Address;
import dev.stingray.proto.GetAllActorInfoRequest;
import dev.stingray.proto.JavaFunctionDescriptor;
import dev.stingray.proto.TaskSpec;
import dev.stingray.proto.TaskType;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The actor table's bookkeeping without a cluster: with no alive node, created actors stay
 * PENDING_CREATION, so registration, names, kills, owner and job deaths and reloads can be checked alone.
 * Placement, restarts and calls run against real processes in {@code ActorE2ETest}.
 */
class GcsActorManagerTest {

    private final InMemoryStoreClient store = new InMemoryStoreClient();
    private final GcsTable<ActorTableData> actorTable = new GcsTable<>(store, "ACTOR", ActorTableData.parser());
    private final GcsTable<TaskSpec> specTable = new GcsTable<>(store, "ACTOR_TASK_SPEC", TaskSpec.parser());
    private final GcsPublisher publisher = new GcsPublisher(Clock.systemUTC(), Duration.ofSeconds(30), Duration.ofSeconds(300), 5000, 100);
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final GcsActorScheduler scheduler = new GcsActorScheduler(List::of, id -> Optional.empty(), Runnable::run, timer);
    private final GcsActorManager actors = newManager();

    private GcsActorManager newManager() {
        return new GcsActorManager(actorTable, specTable, publisher, scheduler, id -> Optional.empty(), Clock.systemUTC(),
                new dev.stingray.gcs.runtimeenv.GcsRuntimeEnvManager(new dev.stingray.gcs.kv.GcsInternalKvManager(store, 1 << 20), timer));
    }

    @AfterEach
    void stop() {
        timer.shutdownNow();
        scheduler.close();
    }

    private static ByteString actorId(int n) {
        byte[] id = new byte[GcsActorManager.ACTOR_ID_SIZE];
        id[0] = (byte) n;
        id[12] = 1;
        return ByteString.copyFrom(id);
    }

    private static TaskSpec creation(ByteString actorId, String name, String namespace, boolean detached, ByteString owner) {
        return TaskSpec.newBuilder().setType(TaskType.ACTOR_CREATION_TASK).setJobId(ByteString.copyFrom(new byte[] {1, 0, 0, 0}))
                .setFunction(JavaFunctionDescriptor.newBuilder().setClassName("demo.Counter").setFunctionName("<init>").setSignature("()V"))
                .setCallerAddress(Address.newBuilder().setWorkerId(owner))
                .setActorCreationTaskSpec(ActorCreationTaskSpec.newBuilder().setActorId(actorId).setName(name).setRayNamespace(namespace)
                        .setIsDetached(detached).setMaxConcurrency(1))
                .build();
    }

    private static final ByteString DRIVER = ByteString.copyFromUtf8("driver-worker-id");

    @Test
    void aNameIsUniquePerNamespaceUntilItsActorDies() {
        actors.handleRegisterActor(creation(actorId(1), "counter", "ns", false, DRIVER));
        assertThat(actors.handleGetNamedActorInfo("counter", "ns").getState()).isEqualTo(ActorState.DEPENDENCIES_UNREADY);

        assertThatThrownBy(() -> actors.handleRegisterActor(creation(actorId(2), "counter", "ns", false, DRIVER)))
                .isInstanceOfSatisfying(StingrayException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.ALREADY_EXISTS))
                .hasMessage("Actor with name 'counter' already exists in the namespace ns");
        actors.handleRegisterActor(creation(actorId(3), "counter", "other", false, DRIVER));
        assertThat(actors.handleListNamedActors(true, "")).hasSize(2);
        assertThat(actors.handleListNamedActors(false, "ns")).singleElement().satisfies(n -> assertThat(n.getName()).isEqualTo("counter"));

        actors.handleKillActor(actorId(1), true);
        assertThat(actors.handleGetActorInfo(actorId(1)).getDeathCause().getReason()).isEqualTo(ActorDeathCause.Reason.RAY_KILL);
        assertThatThrownBy(() -> actors.handleGetNamedActorInfo("counter", "ns"))
                .isInstanceOfSatisfying(StingrayException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
        actors.handleRegisterActor(creation(actorId(2), "counter", "ns", false, DRIVER));
        assertThat(actors.handleGetNamedActorInfo("counter", "ns").getActorId()).isEqualTo(actorId(2));
    }

    @Test
    void registeringTwiceIsIdempotentAndCreatingMovesToPendingCreation() {
        TaskSpec spec = creation(actorId(1), "", "ns", false, DRIVER);
        actors.handleRegisterActor(spec);
        actors.handleRegisterActor(spec);
        var created = actors.handleCreateActor(spec);
        assertThat(created).isNotDone();
        assertThat(actors.handleGetActorInfo(actorId(1)).getState()).isEqualTo(ActorState.PENDING_CREATION);
        actors.handleKillActor(actorId(1), true);
        assertThat(created).isCompletedExceptionally();
    }

    @Test
    void badRequestsAreRejectedWithTheValueAndNothingIsStored() {
        TaskSpec normal = creation(actorId(1), "x", "ns", false, DRIVER).toBuilder().setType(TaskType.NORMAL_TASK).build();
        assertThatThrownBy(() -> actors.handleRegisterActor(normal))
                .isInstanceOfSatisfying(StingrayException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT))
                .hasMessageContaining("NORMAL_TASK");
        TaskSpec shortId = creation(ByteString.copyFrom(new byte[3]), "x", "ns", false, DRIVER);
        assertThatThrownBy(() -> actors.handleRegisterActor(shortId)).hasMessageContaining("3 bytes");
        TaskSpec badRestarts = creation(actorId(1), "x", "ns", false, DRIVER).toBuilder()
                .setActorCreationTaskSpec(ActorCreationTaskSpec.newBuilder().setActorId(actorId(1)).setMaxActorRestarts(-2)).build();
        assertThatThrownBy(() -> actors.handleRegisterActor(badRestarts)).hasMessageContaining("-2");
        assertThatThrownBy(() -> actors.handleCreateActor(creation(actorId(9), "", "ns", false, DRIVER)))
                .isInstanceOfSatisfying(StingrayException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
        assertThatThrownBy(() -> actors.handleKillActor(actorId(9), true))
                .isInstanceOfSatisfying(StingrayException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
        assertThat(actorTable.getAll()).isEmpty();
        assertThat(actors.handleListNamedActors(true, "")).isEmpty();
    }

    @Test
    void nonDetachedActorsDieWithTheirOwnerAndTheirJobDetachedOnesDoNot() {
        actors.handleRegisterActor(creation(actorId(1), "owned", "ns", false, DRIVER));
        actors.handleRegisterActor(creation(actorId(2), "detached", "ns", true, DRIVER));
        actors.handleRegisterActor(creation(actorId(3), "", "ns", false, ByteString.copyFromUtf8("another-worker")));

        actors.onWorkerDead(DRIVER, false, "gone");
        assertThat(actors.handleGetActorInfo(actorId(1)).getState()).isEqualTo(ActorState.DEAD);
        assertThat(actors.handleGetActorInfo(actorId(1)).getDeathCause().getReason()).isEqualTo(ActorDeathCause.Reason.OWNER_DIED);
        assertThat(actors.handleGetActorInfo(actorId(2)).getState()).isNotEqualTo(ActorState.DEAD);
        assertThat(actors.handleGetActorInfo(actorId(3)).getState()).isNotEqualTo(ActorState.DEAD);

        actors.onJobFinished(ByteString.copyFrom(new byte[] {1, 0, 0, 0}));
        assertThat(actors.handleGetActorInfo(actorId(3)).getState()).isEqualTo(ActorState.DEAD);
        assertThat(actors.handleGetActorInfo(actorId(2)).getState()).isNotEqualTo(ActorState.DEAD);
        assertThat(actors.handleGetAllActorInfo(GetAllActorInfoRequest.newBuilder()
                .setFilters(GetAllActorInfoRequest.Filters.newBuilder().setState(ActorState.DEAD)).build())).hasSize(2);
    }

    @Test
    void aReloadedManagerKnowsTheActorsAndTheirNames() {
        actors.handleRegisterActor(creation(actorId(1), "kept", "ns", true, DRIVER));
        actors.handleRegisterActor(creation(actorId(2), "gone", "ns", false, DRIVER));
        actors.handleKillActor(actorId(2), true);

        GcsActorManager reloaded = newManager();
        reloaded.initialize();
        assertThat(reloaded.handleGetNamedActorInfo("kept", "ns").getActorId()).isEqualTo(actorId(1));
        assertThat(reloaded.handleGetActorInfo(actorId(2)).getState()).isEqualTo(ActorState.DEAD);
        assertThatThrownBy(() -> reloaded.handleRegisterActor(creation(actorId(3), "kept", "ns", false, DRIVER)))
                .hasMessageContaining("already exists");
    }
}
