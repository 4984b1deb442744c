package dev.stingray.runtime.task;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.protobuf.ByteString;
import dev.stingray.proto.Address;
import dev.stingray.proto.CoreWorkerServiceGrpc;
import dev.stingray.proto.NodeManagerServiceGrpc;
import dev.stingray.proto.PushTaskReply;
import dev.stingray.proto.PushTaskRequest;
import dev.stingray.proto.RequestWorkerLeaseReply;
import dev.stingray.proto.RequestWorkerLeaseRequest;
import dev.stingray.proto.ReturnObject;
import dev.stingray.proto.ReturnWorkerLeaseRequest;
import dev.stingray.proto.TaskSpec;
import dev.stingray.common.rpc.Channels;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Submits normal tasks the way Ray's {@code NormalTaskSubmitter} does: tasks are queued per scheduling
 * key (their resource shape and runtime env); the submitter asks the local raylet for worker leases (following
 * spillbacks to other raylets), keeps granted leases and pushes queued tasks of the same key to them one
 * after another, and returns a lease as soon as its key has nothing queued. A task whose worker dies is
 * retried up to its {@code max_retries}, then fails with a worker error.
 *
 * <p>Thread-safe: state is guarded by this object's monitor; RPC callbacks run on the given executor.
 */
public final class TaskSubmitter {

    /** How many lease requests of one key may be in flight at once (Ray: max_pending_lease_requests_per_scheduling_category). */
    static final int MAX_PENDING_LEASE_REQUESTS = 10;

    private static final Logger log = LoggerFactory.getLogger(TaskSubmitter.class);

    /** Called with each finished task: its spec and reply, or the error that ends it (normal and actor tasks). */
    public interface Completion {
        void onReturns(TaskSpec spec, List<ReturnObject> returns, boolean applicationError);

        /** The task cannot finish: {@code error} becomes the value of its returns. */
        void onFailure(TaskSpec spec, RuntimeException error);
    }

    private record Lease(Address raylet, Address worker, ByteString leaseId) {
    }

    /**
     * Which tasks may share a lease (Ray: the scheduling class plus the runtime env hash): the same resource
     * shape in the same runtime env, since a leased worker was started in its task's env.
     */
    private record SchedulingKey(Map<String, Double> resources, String runtimeEnv) {
        static SchedulingKey of(TaskSpec spec) {
            return new SchedulingKey(spec.getRequiredResourcesMap(), spec.getSerializedRuntimeEnv());
        }
    }

    private final class KeyState {
        final Deque<TaskSpec> queue = new ArrayDeque<>();
        final Deque<Lease> idle = new ArrayDeque<>();
        int busy;
        int pendingLeaseRequests;
    }

    private final Channels channels;
    private final Address localRaylet;
    private final Executor executor;
    private final ScheduledExecutorService scheduler;
    private final Completion completion;
    private final Map<SchedulingKey, KeyState> keys = new HashMap<>();

    public TaskSubmitter(Channels channels, Address localRaylet, Executor executor, ScheduledExecutorService scheduler,
            Completion completion) {
        this.channels = channels;
        this.localRaylet = localRaylet;
        this.executor = executor;
        this.scheduler = scheduler;
        this.completion = completion;
    }

    public void submit(TaskSpec spec) {
        synchronized (this) {
            keys.computeIfAbsent(SchedulingKey.of(spec), k -> new KeyState()).queue.addLast(spec);
        }
        pump(SchedulingKey.of(spec));
    }

    private void pump(SchedulingKey key) {
        List<Runnable> actions = new ArrayList<>();
        synchronized (this) {
            KeyState state = keys.get(key);
            while (!state.queue.isEmpty() && !state.idle.isEmpty()) {
                Lease lease = state.idle.pollFirst();
                TaskSpec spec = state.queue.pollFirst();
                state.busy++;
                actions.add(() -> push(key, lease, spec));
            }
            int wanted = Math.min(state.queue.size(), MAX_PENDING_LEASE_REQUESTS) - state.pendingLeaseRequests;
            TaskSpec sample = state.queue.peekFirst();
            for (int i = 0; i < wanted && sample != null; i++) {
                state.pendingLeaseRequests++;
                actions.add(() -> requestLease(key, sample, localRaylet, 0));
            }
            while (state.queue.isEmpty() && !state.idle.isEmpty()) {
                Lease lease = state.idle.pollFirst();
                actions.add(() -> returnLease(lease, false));
            }
        }
        actions.forEach(Runnable::run);
    }

    private void requestLease(SchedulingKey key, TaskSpec sample, Address raylet, int spillbacks) {
        var future = NodeManagerServiceGrpc.newFutureStub(channels.to(raylet))
                .requestWorkerLease(RequestWorkerLeaseRequest.newBuilder()
                        .setLeaseSpec(sample.toBuilder().clearArgs().build())
                        .setGrantOrReject(spillbacks >= 3).build());
        Futures.addCallback(future, new FutureCallback<>() {
            @Override
            public void onSuccess(RequestWorkerLeaseReply reply) {
                if (reply.hasWorkerAddress() && !reply.getWorkerAddress().getIpAddress().isEmpty()) {
                    synchronized (TaskSubmitter.this) {
                        KeyState state = keys.get(key);
                        state.pendingLeaseRequests--;
                        state.idle.addLast(new Lease(raylet, reply.getWorkerAddress(), reply.getLeaseId()));
                    }
                    pump(key);
                } else if (reply.hasRetryAtRayletAddress() && !reply.getRetryAtRayletAddress().getIpAddress().isEmpty()) {
                    requestLease(key, sample, reply.getRetryAtRayletAddress(), spillbacks + 1);
                } else {
                    retryLeaseLater(key, sample, reply.getFailureMessage());
                }
            }

            @Override
            public void onFailure(Throwable t) {
                retryLeaseLater(key, sample, t.getMessage());
            }
        }, executor);
    }

    private void retryLeaseLater(SchedulingKey key, TaskSpec sample, String why) {
        log.debug("Lease request for {} not granted ({}); retrying", key, why);
        scheduler.schedule(() -> {
            synchronized (this) {
                keys.get(key).pendingLeaseRequests--;
            }
            pump(key);
        }, 200, TimeUnit.MILLISECONDS);
    }

    private void push(SchedulingKey key, Lease lease, TaskSpec spec) {
        var future = CoreWorkerServiceGrpc.newFutureStub(channels.to(lease.worker()))
                .pushTask(PushTaskRequest.newBuilder().setTaskSpec(spec).build());
        Futures.addCallback(future, new FutureCallback<>() {
            @Override
            public void onSuccess(PushTaskReply reply) {
                synchronized (TaskSubmitter.this) {
                    KeyState state = keys.get(key);
                    state.busy--;
                    state.idle.addLast(lease);
                }
                completion.onReturns(spec, reply.getReturnObjectsList(), reply.getIsApplicationError());
                pump(key);
            }

            @Override
            public void onFailure(Throwable t) {
                synchronized (TaskSubmitter.this) {
                    keys.get(key).busy--;
                }
                returnLease(lease, true);
                Status status = t instanceof StatusRuntimeException sre ? sre.getStatus() : Status.fromThrowable(t);
                String message = "The worker executing task " + spec.getName() + " died or was unreachable (" + status.getCode()
                        + ": " + status.getDescription() + ")";
                if (spec.getAttemptNumber() < spec.getMaxRetries() || spec.getMaxRetries() < 0) {
                    log.warn("{}; retrying (attempt {} of {})", message, spec.getAttemptNumber() + 1, spec.getMaxRetries());
                    submit(spec.toBuilder().setAttemptNumber(spec.getAttemptNumber() + 1).build());
                } else {
                    completion.onFailure(spec, new io.ray.api.exception.RayWorkerException(message));
                    pump(key);
                }
            }
        }, executor);
    }

    private void returnLease(Lease lease, boolean disconnect) {
        try {
            NodeManagerServiceGrpc.newFutureStub(channels.to(lease.raylet())).returnWorkerLease(ReturnWorkerLeaseRequest.newBuilder()
                    .setLeaseId(lease.leaseId()).setDisconnectWorker(disconnect).build());
        } catch (RuntimeException e) {
            log.debug("Returning lease failed: {}", e.getMessage());
        }
    }

    /** Returns every idle lease (driver shutdown). */
    public void returnAllLeases() {
        List<Lease> idle = new ArrayList<>();
        synchronized (this) {
            keys.values().forEach(s -> {
                idle.addAll(s.idle);
                s.idle.clear();
            });
        }
        idle.forEach(l -> returnLease(l, false));
    }

}
