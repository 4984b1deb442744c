package dev.stingray.agent;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The dashboard agent's settings ({@code stingray.dashboard-agent.*}), Ray's agent flags
 * ({@code python/ray/dashboard/agent.py}).
 *
 * @param listenPort          HTTP port ({@code --listen-port}, Ray's default 52365; 0 = ephemeral); bound through
 *                            {@code server.port}
 * @param isHeadNode          whether this agent runs on the head node; {@code /api/healthz} then also checks the GCS
 * @param rayletPid           pid of the raylet the agent fate-shares with; 0 = do not watch
 * @param parentCheckPeriod   how often the raylet's liveness is checked (Ray: every 0.4 s)
 * @param healthCheckTimeout  deadline of the {@code CheckAlive} calls behind the health endpoints
 * @param metricsSamplePeriod how often node metrics are sampled (Ray's reporter: every 2.5 s)
 */
@ConfigurationProperties("stingray.dashboard-agent")
public record DashboardAgentProperties(
        @DefaultValue("52365") int listenPort,
        @DefaultValue("false") boolean isHeadNode,
        @DefaultValue("0") long rayletPid,
        @DefaultValue("400ms") Duration parentCheckPeriod,
        @DefaultValue("1s") Duration healthCheckTimeout,
        @DefaultValue("2500ms") Duration metricsSamplePeriod) {

    public DashboardAgentProperties {
        if (listenPort < 0 || listenPort > 65535) {
            throw new IllegalArgumentException("stingray.dashboard-agent.listen-port must be 0..65535 (0 = ephemeral), got " + listenPort);
        }
        if (rayletPid < 0) {
            throw new IllegalArgumentException("stingray.dashboard-agent.raylet-pid must be a process id or 0 (do not watch), got " + rayletPid);
        }
        requirePositive("parent-check-period", parentCheckPeriod);
        requirePositive("health-check-timeout", healthCheckTimeout);
        requirePositive("metrics-sample-period", metricsSamplePeriod);
    }

    private static void requirePositive(String name, Duration value) {
        if (value == null || value.isZero() || value.isNegative()) {
            throw new IllegalArgumentException("stingray.dashboard-agent." + name + " must be a positive duration, got " + value);
        }
    }
}
