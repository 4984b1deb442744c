package dev.stingray.gcs;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Settings of the GCS ({@code stingray.gcs.*}); defaults are Ray's. Ray's environment names
 * ({@code RAY_REDIS_ADDRESS}, {@code RAY_health_check_period_ms}, ...) are mapped onto these in
 * {@code application.properties}.
 *
 * @param port                        gRPC port (Ray: 6379); 0 = any free port
 * @param redisAddress                {@code host:port} of Redis; empty = in-memory storage
 * @param redisUsername               Redis ACL user, empty for none
 * @param redisPassword               Redis password, empty for none
 * @param externalStorageNamespace    Ray's {@code external_storage_namespace}: Redis keys are {@code RAY<ns>@<TABLE>}
 * @param sessionName                 name of the session dir the launcher created; kept from storage after a restart
 * @param tempDir                     the head's temp dir
 * @param healthCheckInitialDelay     Ray's {@code health_check_initial_delay_ms}
 * @param healthCheckPeriod           Ray's {@code health_check_period_ms}
 * @param healthCheckTimeout          Ray's {@code health_check_timeout_ms}
 * @param healthCheckFailureThreshold Ray's {@code health_check_failure_threshold}
 * @param maximumDeadNodeCachedCount  Ray's {@code maximum_gcs_dead_node_cached_count}
 * @param kvMaxValueSize              largest value {@code InternalKVPut} accepts
 * @param pubsubPollTimeout           how long a long poll stays parked before it is answered empty
 * @param pubsubSubscriberTimeout     a subscriber that has not polled for this long is dropped (Ray: 300 s)
 * @param pubsubMaxBatch              messages per poll reply (Ray: 5000)
 * @param pubsubLossyBuffer           messages of lossy channels (log, error, usage) kept per subscriber
 * @param driverCheckPeriod           how often the drivers of running jobs are probed (a dead driver finishes its job)
 */
@ConfigurationProperties("stingray.gcs")
public record GcsProperties(
        @DefaultValue("6379") int port,
        @DefaultValue("") String redisAddress,
        @DefaultValue("") String redisUsername,
        @DefaultValue("") String redisPassword,
        @DefaultValue("default") String externalStorageNamespace,
        @DefaultValue("") String sessionName,
        @DefaultValue("/tmp/stingray") String tempDir,
        @DefaultValue("5s") Duration healthCheckInitialDelay,
        @DefaultValue("3s") Duration healthCheckPeriod,
        @DefaultValue("10s") Duration healthCheckTimeout,
        @DefaultValue("5") int healthCheckFailureThreshold,
        @DefaultValue("1000") int maximumDeadNodeCachedCount,
        @DefaultValue("512MB") DataSize kvMaxValueSize,
        @DefaultValue("30s") Duration pubsubPollTimeout,
        @DefaultValue("300s") Duration pubsubSubscriberTimeout,
        @DefaultValue("5000") int pubsubMaxBatch,
        @DefaultValue("10000") int pubsubLossyBuffer,
        @DefaultValue("2s") Duration driverCheckPeriod) {

    public boolean usesRedis() {
        return redisAddress != null && !redisAddress.isBlank();
    }
}
