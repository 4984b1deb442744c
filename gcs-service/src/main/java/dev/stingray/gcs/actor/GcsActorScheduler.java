package dev.stingray.gcs.actor;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.protobuf.ByteString;
import dev.stingray.common.rpc.Channels;
import dev.stingray.proto.Address;
import dev.stingray.proto.CoreWorkerServiceGrpc;
import dev.stingray.proto.GcsNodeInfo;
import dev.stingray.proto.NodeManagerServiceGrpc;
import dev.stingray.proto.PushTaskReply;
import dev.stingray.proto.PushTaskRequest;
import dev.stingray.proto.RequestWorkerLeaseReply;
import dev.stingray.proto.RequestWorkerLeaseRequest;
import dev.stingray.proto.ReturnWorkerLeaseRequest;
import dev.stingray.proto.TaskSpec;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Places actors on nodes (Ray: {@code gcs_actor_scheduler.cc}): picks a forwarding raylet — the owner's
 * node when the actor needs resources, otherwise a random alive node — asks it for a worker lease with
 * {@code RequestWorkerLease} (following spillbacks), pushes the creation task to the leased worker, and
 * tells the {@link Outcome} what happened. A lease that is not granted is asked for again after a second,
 * as long as the outcome still wants it. The lease is held for the actor's lifetime and returned (the
 * worker killed) with {@link #releaseWorker}.
 *
 * <p>Thread-safe: keeps no state of its own beyond cached channels; callbacks run on the executor.
 */
public final class GcsActorScheduler implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(GcsActorScheduler.class);
    private static final int MAX_SPILLBACKS = 3;

    /** What happened to one scheduling attempt; every method may be told about a stale attempt. */
    public interface Outcome {
        /** Whether the attempt still matters (the actor was not killed or rescheduled meanwhile). */
        boolean isCurrent();

        /** The actor's constructor ran on {@code worker} (process {@code pid}) of {@code node}; false = no longer wanted. */
        boolean created(Address worker, int pid, GcsNodeInfo node);

        /** The constructor threw; {@code message} is the user's error. */
        void constructorFailed(String message);

        /** The leased worker died or became unreachable before the constructor finished. */
        void workerLost(String message);
    }

    private final Channels channels = new Channels();
    private final Supplier<List<GcsNodeInfo>> aliveNodes;
    private final Function<ByteString, Optional<GcsNodeInfo>> aliveNode;
    private final Executor executor;
    private final ScheduledExecutorService timer;

    public GcsActorScheduler(Supplier<List<GcsNodeInfo>> aliveNodes, Function<ByteString, Optional<GcsNodeInfo>> aliveNode,
            Executor executor, ScheduledExecutorService timer) {
        this.aliveNodes = aliveNodes;
        this.aliveNode = aliveNode;
        this.executor = executor;
        this.timer = timer;
    }

    /** Starts placing the actor whose creation task is {@code spec}, created by {@code owner}. */
    public void schedule(TaskSpec spec, Address owner, Outcome outcome) {
        if (!outcome.isCurrent()) {
            return;
        }
        Optional<GcsNodeInfo> node = spec.getRequiredResourcesMap().isEmpty() ? randomAliveNode()
                : aliveNode.apply(owner.getNodeId()).or(this::randomAliveNode);
        if (node.isEmpty()) {
            retryLater(spec, owner, outcome, "no alive node");
            return;
        }
        requestLease(spec, owner, node.get(), 0, outcome);
    }

    private Optional<GcsNodeInfo> randomAliveNode() {
        List<GcsNodeInfo> nodes = aliveNodes.get();
        return nodes.isEmpty() ? Optional.empty() : Optional.of(nodes.get(ThreadLocalRandom.current().nextInt(nodes.size())));
    }

    private void requestLease(TaskSpec spec, Address owner, GcsNodeInfo node, int spillbacks, Outcome outcome) {
        var future = NodeManagerServiceGrpc.newFutureStub(channels.to(raylet(node))).requestWorkerLease(RequestWorkerLeaseRequest
                .newBuilder().setLeaseSpec(spec.toBuilder().clearArgs()).setGrantOrReject(spillbacks >= MAX_SPILLBACKS).build());
        Futures.addCallback(future, new FutureCallback<>() {
            @Override
            public void onSuccess(RequestWorkerLeaseReply reply) {
                if (reply.hasWorkerAddress() && !reply.getWorkerAddress().getIpAddress().isEmpty()) {
                    Address worker = reply.getWorkerAddress().toBuilder().setNodeId(node.getNodeId()).build();
                    if (!outcome.isCurrent()) {
                        releaseWorker(node, worker.getWorkerId());
                        return;
                    }
                    pushCreationTask(spec, node, worker, reply.getWorkerPid(), outcome);
                } else if (reply.hasRetryAtRayletAddress() && !reply.getRetryAtRayletAddress().getIpAddress().isEmpty()) {
                    Optional<GcsNodeInfo> next = aliveNode.apply(reply.getRetryAtRayletAddress().getNodeId())
                            .or(() -> aliveNodes.get().stream().filter(n -> n.getNodeManagerAddress().equals(reply.getRetryAtRayletAddress()
                                    .getIpAddress()) && n.getNodeManagerPort() == reply.getRetryAtRayletAddress().getPort()).findFirst());
                    if (next.isPresent()) {
                        requestLease(spec, owner, next.get(), spillbacks + 1, outcome);
                    } else {
                        retryLater(spec, owner, outcome, "spilled back to a node that is gone");
                    }
                } else {
                    retryLater(spec, owner, outcome, reply.getFailureMessage());
                }
            }

            @Override
            public void onFailure(Throwable t) {
                retryLater(spec, owner, outcome, t.getMessage());
            }
        }, executor);
    }

    private void retryLater(TaskSpec spec, Address owner, Outcome outcome, String why) {
        log.debug("No lease yet for actor creation task {} ({}); retrying in 1 s", spec.getName(), why);
        timer.schedule(() -> executor.execute(() -> schedule(spec, owner, outcome)), 1, TimeUnit.SECONDS);
    }

    private void pushCreationTask(TaskSpec spec, GcsNodeInfo node, Address worker, int pid, Outcome outcome) {
        var future = CoreWorkerServiceGrpc.newFutureStub(channels.to(worker)).pushTask(PushTaskRequest.newBuilder().setTaskSpec(spec).build());
        Futures.addCallback(future, new FutureCallback<>() {
            @Override
            public void onSuccess(PushTaskReply reply) {
                if (reply.getIsApplicationError()) {
                    releaseWorker(node, worker.getWorkerId());
                    outcome.constructorFailed(reply.getErrorMessage());
                    return;
                }
                if (!outcome.created(worker, pid, node)) {
                    releaseWorker(node, worker.getWorkerId());
                }
            }

            @Override
            public void onFailure(Throwable t) {
                releaseWorker(node, worker.getWorkerId());
                outcome.workerLost("The worker creating actor " + spec.getName() + " died or was unreachable (" + t.getMessage() + ")");
            }
        }, executor);
    }

    /** Returns the actor's lease to the node's raylet, which kills the worker (Ray: the actor's worker does not outlive it). */
    public void releaseWorker(GcsNodeInfo node, ByteString workerId) {
        try {
            NodeManagerServiceGrpc.newFutureStub(channels.to(raylet(node))).returnWorkerLease(ReturnWorkerLeaseRequest.newBuilder()
                    .setLeaseId(workerId).setDisconnectWorker(true).build());
        } catch (RuntimeException e) {
            log.debug("Returning the lease of worker {} failed: {}", workerId, e.getMessage());
        }
    }

    private static Address raylet(GcsNodeInfo node) {
        return Address.newBuilder().setNodeId(node.getNodeId()).setIpAddress(node.getNodeManagerAddress())
                .setPort(node.getNodeManagerPort()).build();
    }

    @Override
    public void close() {
        channels.close();
    }
}
