package dev.stingray.agent;

import dev.stingray.common.boot.ClusterProperties;
import dev.stingray.common.boot.DaemonExit;
import dev.stingray.common.gcs.GcsClient;
import dev.stingray.common.gcs.GcsConnectionMonitor;
import dev.stingray.common.id.NodeId;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.boot.micrometer.metrics.autoconfigure.MeterRegistryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Wires the dashboard agent (Ray: {@code DashboardAgent.__init__} and {@code run} in
 * {@code dashboard/agent.py}): the health checker behind the HTTP endpoints, the node metrics, the
 * address registration in KV (installed as a GCS connection listener here) and the raylet watcher.
 * The only class that reads the properties.
 */
@Configuration(proxyBeanMethods = false)
public class DashboardAgentConfiguration {

    @Bean
    AgentHealthChecker agentHealthChecker(ObjectProvider<GcsClient> gcs, ClusterProperties cluster, DashboardAgentProperties agent) {
        return new AgentHealthChecker(requireGcs(gcs), nodeId(cluster), agent.healthCheckTimeout());
    }

    @Bean(destroyMethod = "close")
    NodeMetrics nodeMetrics(ClusterProperties cluster, DashboardAgentProperties agent) {
        Path disk = cluster.sessionDir() != null && Files.isDirectory(cluster.sessionDir()) ? cluster.sessionDir() : Path.of("/");
        return new NodeMetrics(cluster.nodeIpAddress(), nodeId(cluster).hex(), disk, agent.metricsSamplePeriod()).start();
    }

    /** Keeps Ray's metric names exactly ({@code ray_node_mem_total}, not {@code ray_node_mem}) on {@code /actuator/prometheus}. */
    @Bean
    MeterRegistryCustomizer<PrometheusMeterRegistry> rayMetricNames() {
        return registry -> registry.config().namingConvention(new RayPrometheusNamingConvention());
    }

    @Bean(destroyMethod = "close")
    AgentAddressRegistration agentAddressRegistration(ObjectProvider<GcsClient> gcs, ObjectProvider<GcsConnectionMonitor> monitor,
            ClusterProperties cluster) {
        AgentAddressRegistration registration = new AgentAddressRegistration(
                requireGcs(gcs), nodeId(cluster), cluster.nodeIpAddress(), cluster.gcsCheckPeriod());
        monitor.getObject().addListener(registration);
        return registration;
    }

    @Bean(destroyMethod = "close")
    @ConditionalOnExpression("${stingray.dashboard-agent.raylet-pid:0} > 0")
    RayletWatcher rayletWatcher(DashboardAgentProperties agent, DaemonExit exit) {
        long pid = agent.rayletPid();
        String reason = "Raylet (pid=" + pid + ") is dead; the dashboard agent exits (it fate-shares with its raylet)";
        return new RayletWatcher(pid, agent.parentCheckPeriod(), () -> exitWithStatus(exit, 1, reason)).start();
    }

    /**
     * Calls {@link DaemonExit#exit} from a non-daemon thread. DaemonExit's own thread inherits the daemon
     * flag of its caller; called from a daemon thread (the watcher's), the JVM would end with status 0
     * as soon as the context close stopped Tomcat, before {@code System.exit(status)} ran.
     */
    private static void exitWithStatus(DaemonExit exit, int status, String reason) {
        Thread t = new Thread(() -> exit.exit(status, reason), "dashboard-agent-exit");
        t.setDaemon(false);
        t.start();
    }

    private static GcsClient requireGcs(ObjectProvider<GcsClient> gcs) {
        GcsClient client = gcs.getIfAvailable();
        if (client == null) {
            throw new IllegalStateException("The dashboard agent needs the GCS: set stingray.cluster.gcs-address=<host:port> "
                    + "(Ray's --gcs-address)");
        }
        return client;
    }

    private static NodeId nodeId(ClusterProperties cluster) {
        try {
            return NodeId.fromHex(cluster.nodeId());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("stingray.cluster.node-id must be this node's id (Ray's --node-id): "
                    + e.getMessage(), e);
        }
    }
}
