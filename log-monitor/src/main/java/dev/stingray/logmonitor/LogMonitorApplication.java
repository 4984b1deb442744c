package dev.stingray.logmonitor;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * The per-node log monitor (Ray: {@code python/ray/_private/log_monitor.py}): tails the worker, raylet,
 * GCS and autoscaler log files of this node's session directory and publishes them as {@code LogBatch}
 * messages on the GCS's {@code RAY_LOG_CHANNEL}, where drivers pick them up and print them.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class LogMonitorApplication {

    public static void main(String[] args) {
        SpringApplication.run(LogMonitorApplication.class, args);
    }
}
