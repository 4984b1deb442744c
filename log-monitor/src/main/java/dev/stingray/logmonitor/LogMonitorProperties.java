package dev.stingray.logmonitor;

import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the log monitor ({@code stingray.log-monitor.*}); defaults are Ray's
 * ({@code ray_constants.py}: {@code LOG_MONITOR_NUM_LINES_TO_READ}, {@code LOG_MONITOR_MAX_OPEN_FILES}).
 *
 * @param logsDir          directory to tail; empty = {@code <stingray.cluster.session-dir>/logs}
 * @param pollInterval     pause after a pass that published nothing (Ray sleeps 0.1 s)
 * @param maxLinesPerBatch lines read per file per pass
 * @param maxOpenFiles     file handles kept open at once; the least recently read are closed beyond it
 * @param runtimeEnvLogs   also tail {@code runtime_env*.log} (Ray: {@code RAY_RUNTIME_ENV_LOG_TO_DRIVER_ENABLED})
 * @param publishTimeout   deadline of one {@code GcsPublish} call
 * @param maxBufferedLines lines kept for retry while the GCS is unreachable; the oldest are dropped beyond it
 *                         (the log channel is lossy in Ray too)
 */
@ConfigurationProperties("stingray.log-monitor")
public record LogMonitorProperties(
        Path logsDir,
        @DefaultValue("100ms") Duration pollInterval,
        @DefaultValue("1000") int maxLinesPerBatch,
        @DefaultValue("200") int maxOpenFiles,
        @DefaultValue("false") boolean runtimeEnvLogs,
        @DefaultValue("5s") Duration publishTimeout,
        @DefaultValue("10000") int maxBufferedLines) {

    public LogMonitorProperties {
        requirePositive("stingray.log-monitor.poll-interval", pollInterval);
        requirePositive("stingray.log-monitor.publish-timeout", publishTimeout);
        requirePositive("stingray.log-monitor.max-lines-per-batch", maxLinesPerBatch);
        requirePositive("stingray.log-monitor.max-open-files", maxOpenFiles);
        requirePositive("stingray.log-monitor.max-buffered-lines", maxBufferedLines);
    }

    private static void requirePositive(String name, Duration value) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be a positive duration, got " + value);
        }
    }

    private static void requirePositive(String name, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive, got " + value);
        }
    }
}
