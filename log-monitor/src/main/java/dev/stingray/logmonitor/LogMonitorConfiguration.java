package dev.stingray.logmonitor;

import dev.stingray.common.boot.ClusterProperties;
import dev.stingray.common.gcs.GcsClient;
import dev.stingray.common.session.SessionDir;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.nio.file.Path;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Wires the log monitor: tailer of this node's logs directory → publisher to the GCS → loop. The only
 * place that reads {@link LogMonitorProperties} and {@link ClusterProperties}.
 */
@Configuration(proxyBeanMethods = false)
class LogMonitorConfiguration {

    @Bean(destroyMethod = "close")
    LogFileTailer logFileTailer(LogMonitorProperties props, ClusterProperties cluster) {
        return new LogFileTailer(logsDir(props, cluster), cluster.nodeIpAddress(), props.maxLinesPerBatch(),
                props.maxOpenFiles(), props.runtimeEnvLogs());
    }

    @Bean
    LogPublisher logPublisher(ObjectProvider<GcsClient> gcs, LogMonitorProperties props) {
        GcsClient client = gcs.getIfAvailable();
        if (client == null) {
            throw new IllegalStateException("The log monitor needs the GCS address: set stingray.cluster.gcs-address "
                    + "(host:port of the head's GCS, e.g. 10.0.0.1:6379)");
        }
        return new LogPublisher(client, props.publishTimeout(), props.maxBufferedLines());
    }

    @Bean(destroyMethod = "close")
    LogMonitorLoop logMonitorLoop(LogFileTailer tailer, LogPublisher publisher, LogMonitorProperties props) {
        return new LogMonitorLoop(tailer, publisher, props.pollInterval());
    }

    @Bean
    MeterBinder logMonitorMetrics(LogPublisher publisher) {
        return registry -> {
            FunctionCounter.builder("stingray.log_monitor.published.lines", publisher, LogPublisher::publishedLines)
                    .description("Log lines published on RAY_LOG_CHANNEL").register(registry);
            FunctionCounter.builder("stingray.log_monitor.dropped.lines", publisher, LogPublisher::droppedLines)
                    .description("Log lines dropped while the GCS was unreachable").register(registry);
            Gauge.builder("stingray.log_monitor.buffered.lines", publisher, LogPublisher::bufferedLines)
                    .description("Log lines waiting for the GCS").register(registry);
        };
    }

    private static Path logsDir(LogMonitorProperties props, ClusterProperties cluster) {
        if (props.logsDir() != null) {
            return props.logsDir();
        }
        if (cluster.sessionDir() == null) {
            throw new IllegalStateException("The log monitor does not know which logs to tail: set "
                    + "stingray.log-monitor.logs-dir or stingray.cluster.session-dir");
        }
        return new SessionDir(cluster.sessionDir()).logsDir();
    }
}
