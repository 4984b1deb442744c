package dev.stingray.gcs.job;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.protobuf.ByteString;
import dev.stingray.common.rpc.GrpcChannels;
import dev.stingray.proto.Address;
import dev.stingray.proto.JobTableData;
import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Marks a job finished when its driver dies without calling {@code Ray.shutdown()} (Ray: the raylet
 * sees the driver's connection close and the GCS marks the job dead). Every period, the core worker of
 * each running job's driver is probed with {@code grpc.health.v1}; after {@code failureThreshold}
 * failed probes in a row the job is reported dead.
 *
 * <p>Runs on the GCS scheduler thread; probe callbacks too.
 */
public final class GcsDriverMonitor {

    private static final Logger log = LoggerFactory.getLogger(GcsDriverMonitor.class);

    private final GcsJobManager jobs;
    private final ScheduledExecutorService scheduler;
    private final Duration timeout;
    private final int failureThreshold;
    private final Consumer<ByteString> onDriverDead;
    private final Map<ByteString, Integer> failures = new HashMap<>();
    private final Map<String, ManagedChannel> channels = new HashMap<>();

    public GcsDriverMonitor(GcsJobManager jobs, ScheduledExecutorService scheduler, Duration period, Duration timeout, int failureThreshold,
            Consumer<ByteString> onDriverDead) {
        this.jobs = jobs;
        this.scheduler = scheduler;
        this.timeout = timeout;
        this.failureThreshold = failureThreshold;
        this.onDriverDead = onDriverDead;
        scheduler.scheduleWithFixedDelay(this::probeAll, period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void probeAll() {
        for (JobTableData job : jobs.handleGetAllJobInfo(null)) {
            Address driver = job.getDriverAddress();
            if (job.getIsDead() || driver.getPort() == 0) {
                failures.remove(job.getJobId());
                continue;
            }
            String target = driver.getIpAddress() + ":" + driver.getPort();
            ManagedChannel channel = channels.computeIfAbsent(target, GrpcChannels::forAddress);
            var future = HealthGrpc.newFutureStub(channel).withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
                    .check(HealthCheckRequest.getDefaultInstance());
            Futures.addCallback(future, new FutureCallback<>() {
                @Override
                public void onSuccess(HealthCheckResponse result) {
                    failures.remove(job.getJobId());
                }

                @Override
                public void onFailure(Throwable t) {
                    int n = failures.merge(job.getJobId(), 1, Integer::sum);
                    if (n >= failureThreshold) {
                        failures.remove(job.getJobId());
                        GrpcChannels.close(channels.remove(target));
                        log.warn("The driver of job {} at {} is gone ({}); marking the job finished",
                                new dev.stingray.common.id.JobId(job.getJobId()).hex(), target, t.getMessage());
                        onDriverDead.accept(job.getJobId());
                    }
                }
            }, scheduler);
        }
    }

    public void stop() {
        channels.values().forEach(GrpcChannels::close);
    }
}
