package dev.stingray.gcs.actor;

import com.google.protobuf.ByteString;
import dev.stingray.common.error.StingrayException;
import dev.stingray.gcs.node.NodeListener;
import dev.stingray.gcs.pubsub.GcsPublisher;
import dev.stingray.gcs.store.GcsTable;
import dev.stingray.proto.ActorDeathCause;
import dev.stingray.proto.ActorTableData;
import dev.stingray.proto.ActorTableData.ActorState;
import dev.stingray.proto.Address;
import dev.stingray.proto.ChannelType;
import dev.stingray.proto.GcsNodeInfo;
import dev.stingray.proto.GetAllActorInfoRequest;
import dev.stingray.proto.NamedActorInfo;
import dev.stingray.proto.PubMessage;
import dev.stingray.proto.TaskSpec;
import dev.stingray.proto.TaskType;
import io.grpc.Status;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The actor table (Ray: {@code gcs_actor_manager.cc}). Every change is persisted (creation spec in
 * {@code ACTOR_TASK_SPEC}, the row in {@code ACTOR}), cached, then published on {@code GCS_ACTOR_CHANNEL}.
 *
 * <ul>
 *   <li>{@code RegisterActor} reserves the actor's name in its namespace and records it
 *       DEPENDENCIES_UNREADY; {@code CreateActor} moves it to PENDING_CREATION and has the
 *       {@link GcsActorScheduler} place it; it becomes ALIVE when its constructor returns.</li>
 *   <li>When its worker or node dies, an actor with restarts left goes RESTARTING (num_restarts + 1)
 *       and is placed again, otherwise DEAD with a death cause.</li>
 *   <li>Non-detached actors die with their owner (its worker or node) and with their job; detached
 *       actors live until killed.</li>
 *   <li>A DEAD actor's name is free again.</li>
 * </ul>
 *
 * <p>Thread-safe: state is guarded by this object's monitor; scheduling and publishing happen outside it.
 */
public final class GcsActorManager implements NodeListener {

    private static final Logger log = LoggerFactory.getLogger(GcsActorManager.class);

    /** Ray's ActorID length: 12 unique bytes followed by the 4-byte job id. */
    public static final int ACTOR_ID_SIZE = 16;

    private final GcsTable<ActorTableData> actorTable;
    private final GcsTable<TaskSpec> taskSpecTable;
    private final GcsPublisher publisher;
    private final GcsActorScheduler scheduler;
    private final Function<ByteString, Optional<GcsNodeInfo>> aliveNode;
    private final Clock clock;
    private final dev.stingray.gcs.runtimeenv.GcsRuntimeEnvManager runtimeEnvs;
    private final Map<ByteString, ActorTableData> actors = new LinkedHashMap<>();
    private final Map<ByteString, TaskSpec> creationSpecs = new HashMap<>();
    /** namespace → name → actor id, for actors that are not DEAD. */
    private final Map<String, Map<String, ByteString>> namedActors = new HashMap<>();
    /** Scheduling attempt per actor: an outcome of an older attempt is ignored. */
    private final Map<ByteString, Long> attempts = new HashMap<>();
    /** CreateActor calls waiting for their actor to become ALIVE (or DEAD). */
    private final Map<ByteString, CompletableFuture<Address>> creations = new HashMap<>();

    public GcsActorManager(GcsTable<ActorTableData> actorTable, GcsTable<TaskSpec> taskSpecTable, GcsPublisher publisher,
            GcsActorScheduler scheduler, Function<ByteString, Optional<GcsNodeInfo>> aliveNode, Clock clock,
            dev.stingray.gcs.runtimeenv.GcsRuntimeEnvManager runtimeEnvs) {
        this.runtimeEnvs = runtimeEnvs;
        this.actorTable = actorTable;
        this.taskSpecTable = taskSpecTable;
        this.publisher = publisher;
        this.scheduler = scheduler;
        this.aliveNode = aliveNode;
        this.clock = clock;
    }

    /**
     * Loads the tables (GCS restart on Redis): names are reserved again, and actors that were being
     * placed are placed again. ALIVE actors keep running in their workers.
     */
    public void initialize() {
        List<ByteString> toSchedule = new ArrayList<>();
        synchronized (this) {
            creationSpecs.putAll(taskSpecTable.getAll());
            for (ActorTableData actor : actorTable.getAll().values()) {
                actors.put(actor.getActorId(), actor);
                if (actor.getState() != ActorState.DEAD && actor.getIsDetached() && creationSpecs.containsKey(actor.getActorId())) {
                    TaskSpec creation = creationSpecs.get(actor.getActorId());
                    runtimeEnvs.addReferences(holder(actor.getActorId()), creation.getSerializedRuntimeEnv(), creation.getCodeSearchPathList());
                }
                if (actor.getState() != ActorState.DEAD && !actor.getName().isEmpty()) {
                    namedActors.computeIfAbsent(actor.getRayNamespace(), k -> new HashMap<>()).put(actor.getName(), actor.getActorId());
                }
                if (actor.getState() == ActorState.PENDING_CREATION || actor.getState() == ActorState.RESTARTING) {
                    toSchedule.add(actor.getActorId());
                }
            }
        }
        toSchedule.forEach(this::schedule);
    }

    // ------------------------------------------------------------------ RPC handlers

    /** Ray's {@code HandleRegisterActor}: ALREADY_EXISTS when the name is taken in the namespace; idempotent for a retry. */
    public void handleRegisterActor(TaskSpec spec) {
        validateCreationSpec(spec);
        var creation = spec.getActorCreationTaskSpec();
        ByteString id = creation.getActorId();
        ActorTableData actor;
        synchronized (this) {
            if (actors.containsKey(id)) {
                return;
            }
            if (!creation.getName().isEmpty()) {
                ByteString holder = namedActors.getOrDefault(creation.getRayNamespace(), Map.of()).get(creation.getName());
                if (holder != null) {
                    throw StingrayException.alreadyExists("Actor with name '" + creation.getName() + "' already exists in the namespace "
                            + creation.getRayNamespace());
                }
                namedActors.computeIfAbsent(creation.getRayNamespace(), k -> new HashMap<>()).put(creation.getName(), id);
            }
            actor = ActorTableData.newBuilder()
                    .setActorId(id)
                    .setJobId(spec.getJobId())
                    .setState(ActorState.DEPENDENCIES_UNREADY)
                    .setMaxRestarts(creation.getMaxActorRestarts())
                    .setOwnerAddress(spec.getCallerAddress())
                    .setIsDetached(creation.getIsDetached())
                    .setName(creation.getName())
                    .setRayNamespace(creation.getRayNamespace())
                    .setClassName(spec.getFunction().getClassName())
                    .putAllRequiredResources(spec.getRequiredResourcesMap())
                    .setMaxTaskRetries(creation.getMaxTaskRetries())
                    .setMaxConcurrency(Math.max(1, creation.getMaxConcurrency()))
                    .build();
            creationSpecs.put(id, spec);
            taskSpecTable.put(id, spec);
            save(actor);
            if (creation.getIsDetached()) {
                // A detached actor outlives its job: it holds its runtime env's packages itself.
                runtimeEnvs.addReferences(holder(id), spec.getSerializedRuntimeEnv(), spec.getCodeSearchPathList());
            }
        }
        publish(actor);
    }

    /**
     * Ray's {@code HandleCreateActor}: places a registered actor; the future completes with the actor's
     * address once it is ALIVE, or fails when it dies first.
     */
    public CompletableFuture<Address> handleCreateActor(TaskSpec spec) {
        validateCreationSpec(spec);
        ByteString id = spec.getActorCreationTaskSpec().getActorId();
        CompletableFuture<Address> created;
        ActorTableData pending = null;
        synchronized (this) {
            ActorTableData actor = actors.get(id);
            if (actor == null) {
                throw StingrayException.notFound("Actor " + hex(id) + " is not registered; call RegisterActor first");
            }
            if (actor.getState() == ActorState.ALIVE) {
                return CompletableFuture.completedFuture(actor.getAddress());
            }
            if (actor.getState() == ActorState.DEAD) {
                return CompletableFuture.failedFuture(Status.FAILED_PRECONDITION.withDescription(deathMessage(actor)).asRuntimeException());
            }
            // Each caller gets its own copy: one caller giving up (its copy cancelled) leaves the others waiting.
            created = creations.computeIfAbsent(id, k -> new CompletableFuture<>()).copy();
            if (actor.getState() == ActorState.DEPENDENCIES_UNREADY) {
                pending = actor.toBuilder().setState(ActorState.PENDING_CREATION).build();
                save(pending);
            }
        }
        if (pending != null) {
            publish(pending);
            schedule(id);
        }
        return created;
    }

    public synchronized ActorTableData handleGetActorInfo(ByteString actorId) {
        ActorTableData actor = actors.get(actorId);
        if (actor == null) {
            throw StingrayException.notFound("Actor " + hex(actorId) + " does not exist; `stingray list actors` shows the known actors");
        }
        return actor;
    }

    /** Ray's {@code HandleGetNamedActorInfo}: the live actor of that name, NOT_FOUND if there is none. */
    public synchronized ActorTableData handleGetNamedActorInfo(String name, String namespace) {
        if (name.isEmpty()) {
            throw StingrayException.invalidArgument("The actor name must not be empty");
        }
        ByteString id = namedActors.getOrDefault(namespace, Map.of()).get(name);
        if (id == null) {
            throw StingrayException.notFound("Failed to look up actor with name '" + name + "'. This could because 1. You are trying to look"
                    + " up a named actor you didn't create. 2. The named actor died. 3. You did not use a namespace matching the namespace"
                    + " of the actor. (namespace: " + namespace + ")");
        }
        return actors.get(id);
    }

    /** Ray's {@code HandleListNamedActors}: live named actors of one namespace, or of all. */
    public synchronized List<NamedActorInfo> handleListNamedActors(boolean allNamespaces, String namespace) {
        List<NamedActorInfo> result = new ArrayList<>();
        namedActors.forEach((ns, names) -> {
            if (allNamespaces || ns.equals(namespace)) {
                names.keySet().stream().sorted().forEach(n -> result.add(NamedActorInfo.newBuilder().setRayNamespace(ns).setName(n).build()));
            }
        });
        return result;
    }

    /** Ray's {@code HandleGetAllActorInfo} with its actor id, job id and state filters. */
    public synchronized List<ActorTableData> handleGetAllActorInfo(GetAllActorInfoRequest request) {
        if (request.hasLimit() && request.getLimit() < 0) {
            throw StingrayException.invalidArgument("limit must not be negative, got " + request.getLimit());
        }
        var filters = request.getFilters();
        return actors.values().stream()
                .filter(a -> filters.getActorId().isEmpty() || a.getActorId().equals(filters.getActorId()))
                .filter(a -> filters.getJobId().isEmpty() || a.getJobId().equals(filters.getJobId()))
                .filter(a -> !filters.hasState() || a.getState() == filters.getState())
                .limit(request.hasLimit() ? request.getLimit() : Long.MAX_VALUE)
                .toList();
    }

    /**
     * Ray's {@code HandleKillActorViaGcs}: with {@code no_restart} the actor ends DEAD; without it, it is
     * restarted if it has restarts left. Either way its worker is killed. NOT_FOUND for an unknown actor.
     */
    public void handleKillActor(ByteString actorId, boolean noRestart) {
        handleGetActorInfo(actorId);
        String message = "The actor is dead because it was killed by `ray.kill`.";
        if (noRestart) {
            destroy(actorId, ActorDeathCause.Reason.RAY_KILL, message, true);
        } else {
            restartOrDie(actorId, ActorDeathCause.Reason.RAY_KILL, message, a -> true);
        }
    }

    // ------------------------------------------------------------------ events

    /**
     * A worker died (reported by its raylet, or by the worker itself when it calls {@code Ray.exitActor()}):
     * its actor restarts or dies, and the non-detached actors it owned die.
     */
    public void onWorkerDead(ByteString workerId, boolean intentionalExit, String detail) {
        Affected affected = affected(a -> a.getAddress().getWorkerId().equals(workerId), owner -> owner.getWorkerId().equals(workerId));
        for (ByteString id : affected.hosted()) {
            if (intentionalExit) {
                // Not killed: the worker leaves by itself once its last reply is out.
                destroy(id, ActorDeathCause.Reason.INTENDED_EXIT, "The actor is dead because it exited intentionally with Ray.exitActor().",
                        false);
            } else {
                restartOrDie(id, ActorDeathCause.Reason.WORKER_DIED, "The actor is dead because its worker process has died. " + detail,
                        a -> a.getAddress().getWorkerId().equals(workerId));
            }
        }
        affected.owned().forEach(id -> destroy(id, ActorDeathCause.Reason.OWNER_DIED, "The actor is dead because its owner has died. Owner Id: "
                + hex(workerId), true));
    }

    /** A node died: its actors restart elsewhere or die; actors owned by processes on it die (Ray: OnNodeDead). */
    @Override
    public void onNodeRemoved(GcsNodeInfo node) {
        ByteString nodeId = node.getNodeId();
        Affected affected = affected(a -> a.getNodeId().equals(nodeId), owner -> owner.getNodeId().equals(nodeId));
        String ip = node.getNodeManagerAddress();
        affected.hosted().forEach(id -> restartOrDie(id, ActorDeathCause.Reason.NODE_DIED, "The actor is dead because its node has died. Node Id: "
                + hex(nodeId) + " (ip " + ip + ")", a -> a.getNodeId().equals(nodeId)));
        affected.owned().forEach(id -> destroy(id, ActorDeathCause.Reason.OWNER_DIED, "The actor is dead because its owner has died: the owner's node "
                + hex(nodeId) + " (ip " + ip + ") died.", true));
    }

    /** The live actors a dying worker or node takes along: those ALIVE on it, and the non-detached ones it owns. */
    private record Affected(List<ByteString> hosted, List<ByteString> owned) {
    }

    private synchronized Affected affected(java.util.function.Predicate<ActorTableData> aliveThere,
            java.util.function.Predicate<Address> ownerThere) {
        List<ByteString> hosted = new ArrayList<>();
        List<ByteString> owned = new ArrayList<>();
        for (ActorTableData a : actors.values()) {
            if (a.getState() == ActorState.ALIVE && aliveThere.test(a)) {
                hosted.add(a.getActorId());
            } else if (a.getState() != ActorState.DEAD && !a.getIsDetached() && ownerThere.test(a.getOwnerAddress())) {
                owned.add(a.getActorId());
            }
        }
        return new Affected(hosted, owned);
    }

    /** A job finished: its non-detached actors die (Ray: OnJobFinished). */
    public void onJobFinished(ByteString jobId) {
        List<ByteString> ofJob;
        synchronized (this) {
            ofJob = actors.values().stream().filter(a -> a.getJobId().equals(jobId) && !a.getIsDetached() && a.getState() != ActorState.DEAD)
                    .map(ActorTableData::getActorId).toList();
        }
        ofJob.forEach(id -> destroy(id, ActorDeathCause.Reason.OWNER_DIED, "The actor is dead because its owner has died: job "
                + hex(jobId) + " finished.", true));
    }

    // ------------------------------------------------------------------ transitions

    private void schedule(ByteString actorId) {
        TaskSpec spec;
        ActorTableData actor;
        long attempt;
        synchronized (this) {
            actor = actors.get(actorId);
            spec = creationSpecs.get(actorId);
            if (actor == null || spec == null) {
                return;
            }
            attempt = attempts.merge(actorId, 1L, Long::sum);
        }
        // The constructor learns whether it runs for a restart (RuntimeContext.wasCurrentActorRestarted).
        TaskSpec pushed = spec.toBuilder().setAttemptNumber((int) actor.getNumRestarts()).build();
        scheduler.schedule(pushed, actor.getOwnerAddress(), new GcsActorScheduler.Outcome() {
            @Override
            public boolean isCurrent() {
                synchronized (GcsActorManager.this) {
                    ActorTableData now = actors.get(actorId);
                    return now != null && attempts.getOrDefault(actorId, 0L) == attempt
                            && (now.getState() == ActorState.PENDING_CREATION || now.getState() == ActorState.RESTARTING);
                }
            }

            @Override
            public boolean created(Address worker, int pid, GcsNodeInfo node) {
                return onCreated(actorId, attempt, worker, pid, node);
            }

            @Override
            public void constructorFailed(String message) {
                if (isCurrent()) {
                    destroy(actorId, ActorDeathCause.Reason.CREATION_TASK_ERROR, "The actor died because its constructor threw:\n" + message,
                            false);
                }
            }

            @Override
            public void workerLost(String message) {
                if (isCurrent()) {
                    log.info("{}; placing actor {} again", message, hex(actorId));
                    schedule(actorId);
                }
            }
        });
    }

    private boolean onCreated(ByteString actorId, long attempt, Address worker, int pid, GcsNodeInfo node) {
        ActorTableData alive;
        CompletableFuture<Address> waiting;
        synchronized (this) {
            ActorTableData actor = actors.get(actorId);
            if (actor == null || attempts.getOrDefault(actorId, 0L) != attempt
                    || !(actor.getState() == ActorState.PENDING_CREATION || actor.getState() == ActorState.RESTARTING)) {
                return false;
            }
            alive = actor.toBuilder().setState(ActorState.ALIVE).setAddress(worker).setNodeId(node.getNodeId()).setPid(pid)
                    .setStartTime(clock.millis()).build();
            save(alive);
            waiting = creations.remove(actorId);
        }
        log.info("Actor {} ({}) is ALIVE on node {} in worker pid {}", hex(actorId), alive.getClassName(), hex(node.getNodeId()), pid);
        publish(alive);
        if (waiting != null) {
            waiting.complete(worker);
        }
        return true;
    }

    /**
     * Restarts the actor if it has restarts left (Ray: max_restarts, -1 = without limit), else it dies.
     * {@code stillAffected} re-checks, under the lock, that the event still concerns the actor's current
     * incarnation.
     */
    private void restartOrDie(ByteString actorId, ActorDeathCause.Reason reason, String message,
            java.util.function.Predicate<ActorTableData> stillAffected) {
        ActorTableData restarting;
        ActorTableData previous;
        synchronized (this) {
            previous = actors.get(actorId);
            if (previous == null || previous.getState() == ActorState.DEAD || !stillAffected.test(previous)) {
                return;
            }
            long max = previous.getMaxRestarts();
            if (max != -1 && previous.getNumRestarts() >= max) {
                restarting = null;
            } else {
                restarting = previous.toBuilder().setState(ActorState.RESTARTING).setNumRestarts(previous.getNumRestarts() + 1)
                        .clearAddress().clearNodeId().setPid(0).build();
                save(restarting);
            }
        }
        if (restarting == null) {
            destroy(actorId, reason, message, true);
            return;
        }
        log.info("Actor {} restarts ({} of {}): {}", hex(actorId), restarting.getNumRestarts(),
                restarting.getMaxRestarts() == -1 ? "unlimited" : restarting.getMaxRestarts(), message);
        releaseWorkerOf(previous);
        publish(restarting);
        schedule(actorId);
    }

    /** The actor ends DEAD: its name is free again, waiting creators fail, and its worker is killed if asked. */
    private void destroy(ByteString actorId, ActorDeathCause.Reason reason, String message, boolean killWorker) {
        ActorTableData dead;
        ActorTableData previous;
        CompletableFuture<Address> waiting;
        synchronized (this) {
            previous = actors.get(actorId);
            if (previous == null || previous.getState() == ActorState.DEAD) {
                return;
            }
            dead = previous.toBuilder().setState(ActorState.DEAD).setEndTime(clock.millis())
                    .setDeathCause(ActorDeathCause.newBuilder().setReason(reason).setErrorMessage(message)).build();
            save(dead);
            Map<String, ByteString> names = namedActors.get(dead.getRayNamespace());
            if (names != null && names.remove(dead.getName(), actorId) && names.isEmpty()) {
                namedActors.remove(dead.getRayNamespace());
            }
            waiting = creations.remove(actorId);
            attempts.remove(actorId);
            // A DEAD actor is never placed again: its creation spec (with inline arguments) goes, as in Ray.
            creationSpecs.remove(actorId);
            taskSpecTable.delete(actorId);
        }
        log.info("Actor {} ({}) is DEAD: {}", hex(actorId), dead.getClassName(), message);
        runtimeEnvs.removeReferences(holder(actorId));
        if (killWorker) {
            releaseWorkerOf(previous);
        }
        publish(dead);
        if (waiting != null) {
            waiting.completeExceptionally(Status.FAILED_PRECONDITION.withDescription(deathMessage(dead)).asRuntimeException());
        }
    }

    private void releaseWorkerOf(ActorTableData actor) {
        if (actor.getState() == ActorState.ALIVE && !actor.getAddress().getWorkerId().isEmpty()) {
            aliveNode.apply(actor.getNodeId()).ifPresent(node -> scheduler.releaseWorker(node, actor.getAddress().getWorkerId()));
        }
    }

    private void save(ActorTableData actor) {
        actorTable.put(actor.getActorId(), actor);
        actors.put(actor.getActorId(), actor);
    }

    private void publish(ActorTableData actor) {
        publisher.publish(ChannelType.GCS_ACTOR_CHANNEL, actor.getActorId(), PubMessage.newBuilder().setActorMessage(actor));
    }

    static String deathMessage(ActorTableData actor) {
        return "Actor " + hex(actor.getActorId()) + " (" + actor.getClassName() + ") is dead: " + actor.getDeathCause().getErrorMessage();
    }

    private static void validateCreationSpec(TaskSpec spec) {
        if (spec.getType() != TaskType.ACTOR_CREATION_TASK || !spec.hasActorCreationTaskSpec()) {
            throw StingrayException.invalidArgument("task_spec must be an ACTOR_CREATION_TASK with actor_creation_task_spec set, got "
                    + spec.getType());
        }
        int size = spec.getActorCreationTaskSpec().getActorId().size();
        if (size != ACTOR_ID_SIZE) {
            throw StingrayException.invalidArgument("Invalid actor id of " + size + " bytes: an actor id has " + ACTOR_ID_SIZE + " bytes");
        }
        long maxRestarts = spec.getActorCreationTaskSpec().getMaxActorRestarts();
        if (maxRestarts < -1) {
            throw StingrayException.invalidArgument("max_actor_restarts must be -1 (unlimited) or at least 0, got " + maxRestarts);
        }
    }

    /** The actor's name as a holder of runtime-env package references. */
    private static String holder(ByteString actorId) {
        return "actor:" + hex(actorId);
    }

    private static String hex(ByteString id) {
        return HexFormat.of().formatHex(id.toByteArray());
    }
}
