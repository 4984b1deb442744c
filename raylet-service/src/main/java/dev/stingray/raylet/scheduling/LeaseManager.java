package dev.stingray.raylet.scheduling;

import com.google.protobuf.ByteString;
import dev.stingray.proto.Address;
import dev.stingray.proto.RequestWorkerLeaseReply;
import dev.stingray.proto.RequestWorkerLeaseRequest;
import dev.stingray.proto.TaskSpec;
import dev.stingray.raylet.LocalResources;
import dev.stingray.raylet.worker.WorkerPool;
import dev.stingray.raylet.worker.WorkerProcess;
import io.grpc.stub.StreamObserver;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Grants worker leases (Ray: {@code ClusterLeaseManager} + {@code LocalLeaseManager}, hybrid policy
 * simplified): a request that fits this node's available resources is granted here (pack locally);
 * one that does not fit now is spilled back to another node that has the resources available (spread
 * once busy), else queued here if this node could ever run it; one no node can run waits with a
 * warning, like Ray's infeasible tasks, until a node that can joins. {@code grant_or_reject} forbids
 * spillback. A leased worker blocked in {@code Ray.get} lends its CPUs back to the node until it continues.
 *
 * <p>Thread-safe: guarded by this object's monitor; replies are sent outside it.
 */
public final class LeaseManager {

    private static final Logger log = LoggerFactory.getLogger(LeaseManager.class);

    private record Pending(RequestWorkerLeaseRequest request, StreamObserver<RequestWorkerLeaseReply> observer) {
    }

    private final ByteString nodeId;
    private final LocalResources resources;
    private final WorkerPool pool;
    private final ClusterResourceView cluster;
    private final Deque<Pending> queue = new ArrayDeque<>();
    private final Map<ByteString, Map<String, Double>> leases = new HashMap<>();
    /** Leases whose worker is blocked in Ray.get: their CPUs are counted as available meanwhile. */
    private final java.util.Set<ByteString> blocked = new java.util.HashSet<>();

    public LeaseManager(ByteString nodeId, LocalResources resources, WorkerPool pool, ClusterResourceView cluster) {
        this.nodeId = nodeId;
        this.resources = resources;
        this.pool = pool;
        this.cluster = cluster;
    }

    static boolean fits(Map<String, Double> have, Map<String, Double> demand) {
        return dev.stingray.common.resources.NodeResources.fits(have, demand);
    }

    /** Ray's {@code RequestWorkerLease}: grant, spillback, reject, or queue. */
    public void handleRequestWorkerLease(RequestWorkerLeaseRequest request, StreamObserver<RequestWorkerLeaseReply> observer) {
        List<Runnable> replies = new java.util.ArrayList<>();
        synchronized (this) {
            decide(new Pending(request, observer), replies, true);
        }
        replies.forEach(Runnable::run);
    }

    /** @return whether the pending request left the queue (granted, spilled or rejected) */
    private boolean decide(Pending p, List<Runnable> replies, boolean isNew) {
        Map<String, Double> demand = p.request().getLeaseSpec().getRequiredResourcesMap();
        boolean spillbackAllowed = !p.request().getGrantOrReject();
        if (fits(resources.available(), demand)) {
            if (grant(p, demand, replies)) {
                return true;
            }
            if (isNew) {
                queue.addLast(p);
            }
            return false;
        }
        boolean feasibleHere = fits(resources.total(), demand);
        Optional<ClusterResourceView.NodeView> other = spillbackAllowed ? cluster.pick(demand, nodeId) : Optional.empty();
        if (other.isPresent() && (!feasibleHere || fits(other.get().available(), demand))) {
            Address target = other.get().raylet();
            replies.add(() -> reply(p, RequestWorkerLeaseReply.newBuilder().setRetryAtRayletAddress(target).build()));
            return true;
        }
        if (!feasibleHere && !spillbackAllowed) {
            replies.add(() -> reply(p, RequestWorkerLeaseReply.newBuilder().setRejected(true)
                    .setFailureMessage("This node cannot provide " + demand).build()));
            return true;
        }
        if (isNew) {
            if (!feasibleHere && !cluster.anyFeasible(demand)) {
                log.warn("The cluster cannot satisfy the resource request {} of task {}; it stays pending until a node that can joins"
                        + " (infeasible, as Ray reports it). Total resources of this node: {}", demand, p.request().getLeaseSpec().getName(),
                        resources.total());
            }
            queue.addLast(p);
        }
        return false;
    }

    /** @return false when no worker can be started right now (the request stays queued) */
    private boolean grant(Pending p, Map<String, Double> demand, List<Runnable> replies) {
        TaskSpec spec = p.request().getLeaseSpec();
        String runtimeEnv;
        try {
            runtimeEnv = dev.stingray.common.runtimeenv.RuntimeEnvSpec.parse(spec.getSerializedRuntimeEnv()).toJson();
        } catch (IllegalArgumentException e) {
            replies.add(() -> reply(p, RequestWorkerLeaseReply.newBuilder().setRejected(true).setFailureMessage(e.getMessage()).build()));
            return true;
        }
        if (!resources.tryTake(demand)) {
            // A bundle reservation took the resources since the check: the request stays queued.
            return false;
        }
        // An actor with JVM options of its own (setJvmOptions) needs a worker started with them.
        List<String> actorJvmOptions = spec.getActorCreationTaskSpec().getJvmOptionsList();
        // An idle worker of the job first, then a warm one handed to the job, then a new one for it.
        WorkerProcess worker;
        try {
            worker = actorJvmOptions.isEmpty()
                    ? pool.popIdle(spec.getJobId(), runtimeEnv)
                            .or(() -> pool.handOffWarm(spec, runtimeEnv))
                            .orElse(null)
                    : null;
            if (worker == null && !pool.canStartWorker()) {
                // Start-up concurrency is bounded: wait for a starting worker to register, then retry.
                addAvailable(demand);
                return false;
            }
            if (worker == null) {
                worker = pool.start(spec.getJobId(), spec.getCodeSearchPathList(), spec.getJobJvmOptionsList(), actorJvmOptions, runtimeEnv);
            }
        } catch (RuntimeException e) {
            // No worker for it (a package of its code search path is gone, the worker lib dir is missing, ...).
            addAvailable(demand);
            replies.add(() -> reply(p, RequestWorkerLeaseReply.newBuilder().setCanceled(true).setFailureMessage(e.getMessage()).build()));
            return true;
        }
        worker.setHostsDetachedActor(spec.getActorCreationTaskSpec().getIsDetached());
        worker.setDedicated(!actorJvmOptions.isEmpty());
        leases.put(worker.workerId(), Map.copyOf(demand));
        WorkerProcess granted = worker;
        replies.add(() -> granted.registered().whenComplete((address, error) -> {
            if (error != null) {
                release(granted.workerId(), true);
                reply(p, RequestWorkerLeaseReply.newBuilder().setCanceled(true).setFailureMessage(error.getMessage()).build());
            } else {
                reply(p, RequestWorkerLeaseReply.newBuilder().setWorkerAddress(address).setLeaseId(granted.workerId())
                        .setWorkerPid((int) granted.process().pid()).build());
            }
        }));
        return true;
    }

    /** Ray's {@code ReturnWorkerLease}: the resources come back and the worker becomes idle (or is killed). */
    public void handleReturnWorkerLease(ByteString leaseId, boolean disconnect) {
        release(leaseId, disconnect);
    }

    /**
     * Ray's {@code NotifyDirectCallTaskBlocked/Unblocked}: a blocked worker's CPUs become available (and
     * queued requests are retried); an unblocked one takes them back even if that oversubscribes the node.
     * Unknown leases and repeated notifications change nothing.
     */
    public void handleWorkerBlocked(ByteString leaseId, boolean isBlocked) {
        synchronized (this) {
            Map<String, Double> held = leases.get(leaseId);
            double cpus = held == null ? 0 : held.getOrDefault("CPU", 0.0);
            if (cpus == 0 || !(isBlocked ? blocked.add(leaseId) : blocked.remove(leaseId))) {
                return;
            }
            addAvailable(Map.of("CPU", isBlocked ? cpus : -cpus));
        }
        if (isBlocked) {
            dispatch();
        }
    }

    private void addAvailable(Map<String, Double> amounts) {
        resources.addAvailable(amounts);
    }

    /** A worker process died: its lease ends. */
    public void onWorkerDeath(WorkerProcess worker) {
        release(worker.workerId(), true);
    }

    private void release(ByteString leaseId, boolean disconnect) {
        synchronized (this) {
            Map<String, Double> held = leases.remove(leaseId);
            if (held != null) {
                Map<String, Double> returned = new HashMap<>(held);
                if (blocked.remove(leaseId)) {
                    // Its CPUs were already lent back while it was blocked.
                    returned.remove("CPU");
                }
                addAvailable(returned);
            }
        }
        pool.release(leaseId, disconnect);
        dispatch();
    }

    /** Retries queued requests (resources came back, or the cluster view changed). */
    public void dispatch() {
        List<Runnable> replies = new java.util.ArrayList<>();
        synchronized (this) {
            for (Iterator<Pending> it = queue.iterator(); it.hasNext(); ) {
                Pending p = it.next();
                if (p.observer() instanceof io.grpc.stub.ServerCallStreamObserver<?> call && call.isCancelled()) {
                    it.remove();
                } else if (decide(p, replies, false)) {
                    it.remove();
                }
            }
        }
        replies.forEach(Runnable::run);
    }

    /**
     * Answers a request. A granted lease whose requester has gone (its call was cancelled) is released at
     * once, or its resources would stay taken by a lease no one holds.
     */
    private void reply(Pending p, RequestWorkerLeaseReply reply) {
        boolean delivered;
        try {
            delivered = !(p.observer() instanceof io.grpc.stub.ServerCallStreamObserver<?> call && call.isCancelled());
            if (delivered) {
                p.observer().onNext(reply);
                p.observer().onCompleted();
            }
        } catch (RuntimeException e) {
            delivered = false;
        }
        if (!delivered && !reply.getLeaseId().isEmpty()) {
            log.info("The requester of lease {} went away before the grant reached it; releasing the lease", 
                    java.util.HexFormat.of().formatHex(reply.getLeaseId().toByteArray()));
            release(reply.getLeaseId(), false);
        }
    }

    public synchronized int queued() {
        return queue.size();
    }
}
