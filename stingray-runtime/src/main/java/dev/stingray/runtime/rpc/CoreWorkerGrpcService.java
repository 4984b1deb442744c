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
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * {@code CoreWorkerService} of one core worker: executes pushed tasks one at a time on the task thread
 * (Ray's normal-task worker), and serves the objects this worker owns to borrowers, waiting up to the
 * requested timeout for objects still being computed.
 */
public final class CoreWorkerGrpcService extends CoreWorkerServiceGrpc.CoreWorkerServiceImplBase {

    private final MemoryStore store;
    private final ExecutorService taskThread;
    private final Function<TaskSpec, PushTaskReply> executor;
    private final Runnable onExit;

    public CoreWorkerGrpcService(MemoryStore store, ExecutorService taskThread, Function<TaskSpec, PushTaskReply> executor, Runnable onExit) {
        this.store = store;
        this.taskThread = taskThread;
        this.executor = executor;
        this.onExit = onExit;
    }

    /** Runs a task and answers with its returns (or the serialized error). */
    @Override
    public void pushTask(PushTaskRequest request, StreamObserver<PushTaskReply> observer) {
        if (executor == null) {
            observer.onError(Status.FAILED_PRECONDITION.withDescription("A driver does not execute tasks").asRuntimeException());
            return;
        }
        taskThread.execute(() -> {
            PushTaskReply reply = executor.apply(request.getTaskSpec());
            observer.onNext(reply);
            observer.onCompleted();
        });
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
