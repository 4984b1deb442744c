package dev.stingray.runtime.rpc;

import dev.stingray.proto.CoreWorkerServiceGrpc;
import dev.stingray.proto.ExitReply;
import dev.stingray.proto.ExitRequest;
import dev.stingray.proto.GetObjectReply;
import dev.stingray.proto.GetObjectRequest;
import dev.stingray.proto.PushTaskReply;
import dev.stingray.proto.PushTaskRequest;
import dev.stingray.proto.RayObject;
import dev.stingray.proto.TaskSpec;
import dev.stingray.runtime.object.MemoryStore;
import dev.stingray.runtime.actor.ActorTaskReceiver;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * {@code CoreWorkerService} of one core worker: executes pushed tasks one at a time on the task thread
 * (Ray's normal-task worker) — actor method calls in the order the {@link ActorTaskReceiver} gives them —
 * and serves the objects this worker owns to borrowers, waiting up to the requested timeout for objects
 * still being computed. A reply that says the worker is exiting ({@code Ray.exitActor()}) is followed by
 * the exit.
 */
public final class CoreWorkerGrpcService extends CoreWorkerServiceGrpc.CoreWorkerServiceImplBase {

    private final MemoryStore store;
    private final ExecutorService taskThread;
    private final Function<TaskSpec, PushTaskReply> executor;
    private final Runnable onExit;
    private final ActorTaskReceiver actorTasks;

    public CoreWorkerGrpcService(MemoryStore store, ExecutorService taskThread, Function<TaskSpec, PushTaskReply> executor,
            ActorTaskReceiver actorTasks, Runnable onExit) {
        this.store = store;
        this.taskThread = taskThread;
        this.executor = executor;
        this.actorTasks = actorTasks;
        this.onExit = onExit;
    }

    /** Runs a task and answers with its returns (or the serialized error). */
    @Override
    public void pushTask(PushTaskRequest request, StreamObserver<PushTaskReply> observer) {
        if (executor == null) {
            observer.onError(Status.FAILED_PRECONDITION.withDescription("A driver does not execute tasks").asRuntimeException());
            return;
        }
        TaskSpec spec = request.getTaskSpec();
        Runnable run = () -> {
            PushTaskReply reply = executor.apply(spec);
            observer.onNext(reply);
            observer.onCompleted();
            if (reply.getWorkerExiting()) {
                onExit.run();
            }
        };
        switch (spec.getType()) {
            case ACTOR_CREATION_TASK -> {
                actorTasks.setMaxConcurrency(spec.getActorCreationTaskSpec().getMaxConcurrency());
                taskThread.execute(run);
            }
            case ACTOR_TASK -> actorTasks.submit(spec, run);
            default -> taskThread.execute(run);
        }
    }

    /** An owned object for a borrower: READY with the value, PENDING after the timeout, NOT_OWNED if unknown. */
    @Override
    public void getObject(GetObjectRequest request, StreamObserver<GetObjectReply> observer) {
        if (!store.knows(request.getObjectId())) {
            observer.onNext(GetObjectReply.newBuilder().setStatus(GetObjectReply.Status.NOT_OWNED).build());
            observer.onCompleted();
            return;
        }
        CompletableFuture<RayObject> entry = store.entry(request.getObjectId());
        entry.copy().orTimeout(Math.max(1, request.getTimeoutMs()), TimeUnit.MILLISECONDS).whenComplete((value, error) -> {
            if (error == null) {
                observer.onNext(GetObjectReply.newBuilder().setStatus(GetObjectReply.Status.READY).setValue(value).build());
            } else {
                observer.onNext(GetObjectReply.newBuilder().setStatus(store.knows(request.getObjectId())
                        ? GetObjectReply.Status.PENDING : GetObjectReply.Status.FREED).build());
            }
            observer.onCompleted();
        });
    }

    @Override
    public void exit(ExitRequest request, StreamObserver<ExitReply> observer) {
        observer.onNext(ExitReply.newBuilder().setSuccess(true).build());
        observer.onCompleted();
        onExit.run();
    }
}
