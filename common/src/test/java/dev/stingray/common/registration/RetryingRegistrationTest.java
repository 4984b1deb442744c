package dev.stingray.common.registration;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The three outcomes of a registration: success, rejection, timeout. */
class RetryingRegistrationTest {

    private final AtomicInteger attempts = new AtomicInteger();

    private RetryingRegistration registration(Duration deadline) {
        return new RetryingRegistration("Test registration", Duration.ofMillis(10), Duration.ofMillis(40), deadline);
    }

    @Test
    void unavailableIsRetriedUntilTheAttemptSucceeds() {
        RetryingRegistration.Outcome outcome = registration(Duration.ofSeconds(10)).register(() -> {
            if (attempts.incrementAndGet() < 3) {
                throw Status.UNAVAILABLE.withDescription("GCS not up yet").asRuntimeException();
            }
        });

        assertThat(outcome).isEqualTo(new RetryingRegistration.Success());
        assertThat(attempts).hasValue(3);
    }

    @Test
    void invalidArgumentIsRejectedAtOnce() {
        RetryingRegistration.Outcome outcome = registration(Duration.ofSeconds(10)).register(() -> {
            attempts.incrementAndGet();
            throw Status.INVALID_ARGUMENT.withDescription("node id is empty").asRuntimeException();
        });

        assertThat(outcome).isInstanceOfSatisfying(RetryingRegistration.Rejected.class,
                r -> assertThat(r.reason()).isEqualTo("INVALID_ARGUMENT: node id is empty"));
        assertThat(attempts).hasValue(1);
    }

    @Test
    void temporaryFailuresPastTheDeadlineTimeOutWithTheLastError() {
        long start = System.nanoTime();

        RetryingRegistration.Outcome outcome = registration(Duration.ofMillis(300)).register(() -> {
            attempts.incrementAndGet();
            throw Status.UNAVAILABLE.withDescription("connection refused").asRuntimeException();
        });

        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertThat(outcome).isInstanceOfSatisfying(RetryingRegistration.TimedOut.class,
                t -> assertThat(t.lastError()).isEqualTo("UNAVAILABLE: connection refused"));
        assertThat(attempts.get()).isGreaterThan(2);
        assertThat(took).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void classifiesStatusCodes() {
        assertThat(RetryingRegistration.isTemporary(Status.Code.UNAVAILABLE)).isTrue();
        assertThat(RetryingRegistration.isTemporary(Status.Code.DEADLINE_EXCEEDED)).isTrue();
        assertThat(RetryingRegistration.isTemporary(Status.Code.INVALID_ARGUMENT)).isFalse();
        assertThat(RetryingRegistration.isTemporary(Status.Code.FAILED_PRECONDITION)).isFalse();
    }
}
