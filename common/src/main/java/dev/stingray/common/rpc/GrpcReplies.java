package dev.stingray.common.rpc;

import dev.stingray.common.error.ErrorCode;
import dev.stingray.common.error.StingrayException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Completes a unary gRPC call from a handler's result, translating {@link StingrayException} into the
 * matching status. Any other exception is a bug: it is logged and answered with INTERNAL, and the
 * daemon keeps serving.
 */
public final class GrpcReplies {

    private static final Logger log = LoggerFactory.getLogger(GrpcReplies.class);

    private GrpcReplies() {
    }

    public static <T> void reply(StreamObserver<T> observer, Supplier<T> handler) {
        T reply;
        try {
            reply = handler.get();
        } catch (RuntimeException e) {
            observer.onError(toStatus(e));
            return;
        }
        observer.onNext(reply);
        observer.onCompleted();
    }

    /**
     * Answers with {@code reply} of the future's value once it completes, or with its failure's status; a
     * handler that fails before returning a future is answered at once; a cancelled call is not answered. For RPCs that wait for a state (an actor ALIVE, a
     * placement group CREATED). A caller that went away meanwhile is ignored.
     */
    public static <V, T> void replyWhenDone(StreamObserver<T> observer, Supplier<java.util.concurrent.CompletableFuture<V>> handler,
            java.util.function.Function<V, T> reply) {
        java.util.concurrent.CompletableFuture<V> future;
        try {
            future = handler.get();
        } catch (RuntimeException e) {
            observer.onError(toStatus(e));
            return;
        }
        if (observer instanceof io.grpc.stub.ServerCallStreamObserver<?> call) {
            // The handler's own future is cancelled, so whoever holds it (a waiter list) sees the caller leave.
            call.setOnCancelHandler(() -> future.cancel(false));
        }
        future.whenComplete((result, error) -> {
            if (future.isCancelled()) {
                return;
            }
            try {
                if (error != null) {
                    observer.onError(toStatus(error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                            ? error.getCause() : error));
                } else {
                    observer.onNext(reply.apply(result));
                    observer.onCompleted();
                }
            } catch (RuntimeException callerGone) {
                // Cancelled call: nothing to answer.
            }
        });
    }

    /** The status a failed handler is answered with. */
    public static StatusRuntimeException toStatus(Throwable e) {
        if (e instanceof StatusRuntimeException sre) {
            return sre;
        }
        if (e instanceof StingrayException se) {
            return statusOf(se.code()).withDescription(se.getMessage()).asRuntimeException();
        }
        if (e instanceof IllegalArgumentException) {
            return Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException();
        }
        log.error("Unexpected error while handling an RPC", e);
        return Status.INTERNAL.withDescription("Internal error: " + e).withCause(e).asRuntimeException();
    }

    static Status statusOf(ErrorCode code) {
        return switch (code) {
            case INVALID_ARGUMENT -> Status.INVALID_ARGUMENT;
            case NOT_FOUND -> Status.NOT_FOUND;
            case ALREADY_EXISTS -> Status.ALREADY_EXISTS;
            case UNAVAILABLE -> Status.UNAVAILABLE;
            case FAILED_PRECONDITION -> Status.FAILED_PRECONDITION;
        };
    }
}
