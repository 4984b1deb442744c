package dev.stingray.runtime.actor;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.protobuf.ByteString;
import dev.stingray.common.gcs.GcsClient;
import dev.stingray.common.gcs.GcsSubscriber;
import dev.stingray.common.rpc.Channels;
import dev.stingray.proto.ActorTableData;
import dev.stingray.proto.ActorTableData.ActorState;
import dev.stingray.proto.ChannelType;
import dev.stingray.proto.CoreWorkerServiceGrpc;
import dev.stingray.proto.GetActorInfoRequest;
import dev.stingray.proto.PushTaskReply;
import dev.stingray.proto.PushTaskRequest;
import dev.stingray.proto.TaskSpec;
import dev.stingray.runtime.task.TaskSubmitter;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.ray.api.id.ActorId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends actor method calls straight to the actor's worker (Ray: {@code ActorTaskSubmitter}); the GCS is
 * not on the call path.
 *
 * <ul>
 *   <li>The actor's address comes from the GCS ({@code GetActorInfo} once, then every change on
 *       {@code GCS_ACTOR_CHANNEL}). Calls made before the actor is ALIVE, or while it restarts, wait here.</li>
 *   <li>Each call gets this process's next sequence number for the actor's current worker; the worker runs
 *       each caller's calls in that order. A new incarnation (restart) starts again at 0.</li>
 *   <li>A call whose push fails because the worker died is sent again to the restarted actor while it
 *       has retries left ({@code max_task_retries}, -1 = without limit); otherwise it fails with a
 *       {@link io.ray.api.exception.RayActorException}. Once the actor is DEAD every waiting call fails
 *       with the actor's death cause.</li>
 * </ul>
 *
 * <p>Thread-safe: state is guarded by this object's monitor; RPCs are started outside it.
 */
public final class ActorTaskSubmitter implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ActorTaskSubmitter.class);

    private static final class Call {
        final long index;
        final TaskSpec spec;
        int retriesLeft;
        /** The worker this call's sequence number belongs to. */
        ByteString numberedFor = ByteString.EMPTY;
        long sequenceNumber;
        /** Why its push failed, when it has no retries left: it fails once the actor's fate is known. */
        String failure;

        Call(long index, TaskSpec spec, int retriesLeft) {
            this.index = index;
            this.spec = spec;
            this.retriesLeft = retriesLeft;
        }
    }

    private static final class ActorQueue {
        final ByteString actorId;
        ActorTableData info;
        /** Calls to send, in submission order. */
        final TreeMap<Long, Call> waiting = new TreeMap<>();
        /** Calls whose push failed without retries left, until the GCS says whether the actor died and why. */
        final List<Call> lost = new ArrayList<>();
        long nextIndex;
        ByteString numberingWorker = ByteString.EMPTY;
        long nextSequenceNumber;
        /** A worker a push to failed: nothing is sent to it again until the GCS says where the actor is. */
        ByteString unreachableWorker = ByteString.EMPTY;

        ActorQueue(ByteString actorId) {
            this.actorId = actorId;
        }
    }

    private final GcsClient gcs;
    private final Channels channels;
    private final Executor executor;
    private final ScheduledExecutorService timer;
    private final TaskSubmitter.Completion completion;
    private final Map<ByteString, ActorQueue> actors = new HashMap<>();
    private GcsSubscriber subscriber;

    public ActorTaskSubmitter(GcsClient gcs, Channels channels, Executor executor, ScheduledExecutorService timer,
            TaskSubmitter.Completion completion) {
        this.gcs = gcs;
        this.channels = channels;
        this.executor = executor;
        this.timer = timer;
        this.completion = completion;
    }

    /** Queues a call of the actor; {@code maxTaskRetries} is the actor's (from its handle). */
    public void submit(ByteString actorId, TaskSpec spec, int maxTaskRetries) {
        ActorQueue queue;
        boolean first;
        synchronized (this) {
            first = !actors.containsKey(actorId);
            queue = actors.computeIfAbsent(actorId, ActorQueue::new);
            queue.waiting.put(queue.nextIndex, new Call(queue.nextIndex, spec, maxTaskRetries));
            queue.nextIndex++;
        }
        if (first) {
            watch(actorId);
        }
        pump(queue);
    }

    /** Starts following the actor's state: subscribe to its key, then read its current row. */
    private void watch(ByteString actorId) {
        GcsSubscriber existing;
        synchronized (this) {
            existing = subscriber;
            if (subscriber == null) {
                subscriber = new GcsSubscriber(gcs, List.of(ChannelType.GCS_ACTOR_CHANNEL), actorId, m -> update(m.getActorMessage())).start();
            }
        }
        if (existing != null) {
            // A GCS call: outside this object's monitor, which every actor call of the process takes.
            existing.subscribe(actorId);
        }
        lookUp(actorId);
    }

    private void lookUp(ByteString actorId) {
        executor.execute(() -> {
            try {
                update(gcs.actors().getActorInfo(GetActorInfoRequest.newBuilder().setActorId(actorId).build()).getActorTableData());
            } catch (StatusRuntimeException e) {
                if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
                    update(ActorTableData.newBuilder().setActorId(actorId).setState(ActorState.DEAD)
                            .setDeathCause(dev.stingray.proto.ActorDeathCause.newBuilder().setErrorMessage("The GCS does not know this actor."))
                            .build());
                } else {
                    log.debug("Looking up actor {} failed ({}); retrying", ActorId.fromBytes(actorId.toByteArray()), e.getMessage());
                    timer.schedule(() -> lookUp(actorId), 500, TimeUnit.MILLISECONDS);
                }
            }
        });
    }

    /** A newer row of an actor (from the channel or a lookup); older ones are ignored. */
    public void update(ActorTableData info) {
        ActorQueue queue;
        synchronized (this) {
            queue = actors.get(info.getActorId());
            if (queue == null || (queue.info != null && !isNewer(info, queue.info))) {
                return;
            }
            queue.info = info;
            if (info.getState() != ActorState.ALIVE || !info.getAddress().getWorkerId().equals(queue.unreachableWorker)) {
                queue.unreachableWorker = ByteString.EMPTY;
            }
        }
        pump(queue);
    }

    /** States only move forward: by restart count, then ALIVE after PENDING/RESTARTING; DEAD is final. */
    static boolean isNewer(ActorTableData candidate, ActorTableData known) {
        if (known.getState() == ActorState.DEAD) {
            return false;
        }
        if (candidate.getState() == ActorState.DEAD) {
            return true;
        }
        if (candidate.getNumRestarts() != known.getNumRestarts()) {
            return candidate.getNumRestarts() > known.getNumRestarts();
        }
        return rank(candidate.getState()) > rank(known.getState());
    }

    private static int rank(ActorState state) {
        return switch (state) {
            case DEPENDENCIES_UNREADY -> 0;
            case PENDING_CREATION, RESTARTING -> 1;
            case ALIVE -> 2;
            default -> 3;
        };
    }

    private void pump(ActorQueue queue) {
        List<Runnable> actions = new ArrayList<>();
        synchronized (this) {
            ActorTableData info = queue.info;
            if (info == null) {
                return;
            }
            if (info.getState() == ActorState.DEAD) {
                ActorDiedException error = new ActorDiedException(ActorId.fromBytes(queue.actorId.toByteArray()),
                        info.getDeathCause().getErrorMessage());
                queue.waiting.values().forEach(call -> actions.add(() -> completion.onFailure(call.spec, error)));
                queue.waiting.clear();
                queue.lost.forEach(call -> actions.add(() -> completion.onFailure(call.spec, error)));
                queue.lost.clear();
            } else {
                // The actor lives on in another incarnation (or restarts): the lost calls died with the old one.
                for (var it = queue.lost.iterator(); it.hasNext(); ) {
                    Call call = it.next();
                    if (info.getState() != ActorState.ALIVE || !info.getAddress().getWorkerId().equals(call.numberedFor)) {
                        it.remove();
                        actions.add(() -> failLost(queue, call));
                    }
                }
            }
            if (info.getState() == ActorState.ALIVE && !info.getAddress().getWorkerId().equals(queue.unreachableWorker)) {
                ByteString worker = info.getAddress().getWorkerId();
                if (!worker.equals(queue.numberingWorker)) {
                    queue.numberingWorker = worker;
                    queue.nextSequenceNumber = 0;
                }
                while (!queue.waiting.isEmpty()) {
                    Call call = queue.waiting.pollFirstEntry().getValue();
                    if (!worker.equals(call.numberedFor)) {
                        call.numberedFor = worker;
                        call.sequenceNumber = queue.nextSequenceNumber++;
                    }
                    actions.add(() -> push(queue, call, info));
                }
            }
        }
        actions.forEach(Runnable::run);
    }

    private void push(ActorQueue queue, Call call, ActorTableData info) {
        TaskSpec spec = call.spec.toBuilder().setActorTaskSpec(call.spec.getActorTaskSpec().toBuilder()
                .setSequenceNumber(call.sequenceNumber)).build();
        var future = CoreWorkerServiceGrpc.newFutureStub(channels.to(info.getAddress())).pushTask(PushTaskRequest.newBuilder().setTaskSpec(spec).build());
        Futures.addCallback(future, new FutureCallback<>() {
            @Override
            public void onSuccess(PushTaskReply reply) {
                completion.onReturns(call.spec, reply.getReturnObjectsList(), reply.getIsApplicationError());
            }

            @Override
            public void onFailure(Throwable t) {
                Status status = Status.fromThrowable(t);
                boolean retry;
                synchronized (ActorTaskSubmitter.this) {
                    retry = call.retriesLeft != 0;
                    if (retry) {
                        if (call.retriesLeft > 0) {
                            call.retriesLeft--;
                        }
                        queue.waiting.put(call.index, call);
                    } else {
                        call.failure = "Its worker at " + info.getAddress().getIpAddress() + ":" + info.getAddress().getPort()
                                + " died or is unreachable (" + status.getCode() + ": " + status.getDescription() + ").";
                        queue.lost.add(call);
                    }
                    queue.unreachableWorker = info.getAddress().getWorkerId();
                }
                // The actor may be known DEAD already: then the lost call fails with its death cause now.
                pump(queue);
                // Where is the actor now? The channel tells too; asking covers a worker that was only unreachable.
                timer.schedule(() -> lookUpAfterFailure(queue.actorId, info), 200, TimeUnit.MILLISECONDS);
            }
        }, executor);
    }

    private void failLost(ActorQueue queue, Call call) {
        completion.onFailure(call.spec, new ActorDiedException(ActorId.fromBytes(queue.actorId.toByteArray()), call.failure));
    }

    /** After a failed push: if the GCS still places the actor on the same worker, try that worker again. */
    private void lookUpAfterFailure(ByteString actorId, ActorTableData failedAt) {
        executor.execute(() -> {
            ActorQueue queue;
            try {
                ActorTableData now = gcs.actors().getActorInfo(GetActorInfoRequest.newBuilder().setActorId(actorId).build()).getActorTableData();
                update(now);
                synchronized (this) {
                    queue = actors.get(actorId);
                    if (queue == null || now.getState() != ActorState.ALIVE
                            || !now.getAddress().getWorkerId().equals(failedAt.getAddress().getWorkerId())) {
                        return;
                    }
                    queue.unreachableWorker = ByteString.EMPTY;
                    // Still ALIVE on the same worker: the failure was the connection's, and calls without retries cannot be resent.
                    queue.lost.forEach(call -> executor.execute(() -> failLost(queue, call)));
                    queue.lost.clear();
                }
                timer.schedule(() -> pump(queue), 500, TimeUnit.MILLISECONDS);
            } catch (RuntimeException e) {
                timer.schedule(() -> lookUpAfterFailure(actorId, failedAt), 500, TimeUnit.MILLISECONDS);
            }
        });
    }

    @Override
    public synchronized void close() {
        if (subscriber != null) {
            subscriber.close();
        }
    }
}
