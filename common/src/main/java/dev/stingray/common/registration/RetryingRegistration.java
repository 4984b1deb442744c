package dev.stingray.common.registration;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers with a peer, with three outcomes (Flink: {@code RetryingRegistration}): success;
 * temporary failure (UNAVAILABLE, DEADLINE_EXCEEDED, ...) retried with capped exponential backoff
 * until the deadline; rejection (any other status) reported at once so the caller can stop with a
 * non-zero exit.
 */
public final class RetryingRegistration {

    /** The result of {@link #register}. */
    public sealed interface Outcome permits Success, Rejected, TimedOut {
    }

    public record Success() implements Outcome {
    }

    public record Rejected(String reason) implements Outcome {
    }

    public record TimedOut(String lastError) implements Outcome {
    }

    private static final Logger log = LoggerFactory.getLogger(RetryingRegistration.class);

    private final String what;
    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private final Duration deadline;

    public RetryingRegistration(String what, Duration initialBackoff, Duration maxBackoff, Duration deadline) {
        this.what = what;
        this.initialBackoff = initialBackoff;
        this.maxBackoff = maxBackoff;
        this.deadline = deadline;
    }

    public Outcome register(Runnable attempt) {
        return register(() -> {
            attempt.run();
            return null;
        });
    }

    private Outcome register(Supplier<Void> attempt) {
        Instant giveUp = Instant.now().plus(deadline);
        long backoff = initialBackoff.toMillis();
        String lastError = "";
        while (true) {
            try {
                attempt.get();
                return new Success();
            } catch (StatusRuntimeException e) {
                if (!isTemporary(e.getStatus().getCode())) {
                    return new Rejected(e.getStatus().getCode() + ": " + e.getStatus().getDescription());
                }
                lastError = e.getStatus().getCode() + ": " + e.getStatus().getDescription();
            }
            if (Instant.now().plusMillis(backoff).isAfter(giveUp)) {
                return new TimedOut(lastError);
            }
            log.info("{} failed temporarily ({}); retrying in {} ms", what, lastError, backoff);
            try {
                Thread.sleep(backoff);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new TimedOut("interrupted");
            }
            backoff = Math.min(backoff * 2, maxBackoff.toMillis());
        }
    }

    static boolean isTemporary(Status.Code code) {
        return switch (code) {
            case UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, ABORTED, UNKNOWN -> true;
            default -> false;
        };
    }
}
