package dev.stingray.common.launch;

import dev.stingray.common.discovery.ServiceNames;

/**
 * The daemons {@code stingray start} launches: jar name, Ray process name (log and pid file names),
 * the port file holding its HTTP (actuator) port, and the stop bucket ({@code stingray stop} stops
 * every daemon but the GCS at once, so raylets unregister from a live GCS as with {@code ray stop}, then
 * the GCS), and its maximum heap.
 * The Ray Client server gets a larger heap: it assembles each client object (up to the client's
 * largest put or get) in memory while relaying it in chunks.
 */
public enum DaemonKind {
    GCS_SERVER("gcs-service.jar", ServiceNames.GCS_SERVER, "gcs_server_http_port", 1, "256m"),
    RAYLET("raylet-service.jar", ServiceNames.RAYLET, "raylet_http_port", 0, "256m"),
    DASHBOARD_AGENT("dashboard-agent.jar", ServiceNames.DASHBOARD_AGENT, "dashboard_agent_listen_port", 0, "256m"),
    LOG_MONITOR("log-monitor.jar", ServiceNames.LOG_MONITOR, "log_monitor_http_port", 0, "256m"),
    RAY_CLIENT_SERVER("client-proxy-service.jar", ServiceNames.RAY_CLIENT_SERVER, "ray_client_server_http_port", 0, "1g");

    private final String jar;
    private final String processName;
    private final String httpPortFile;
    private final int stopBucket;
    private final String maxHeap;

    DaemonKind(String jar, String processName, String httpPortFile, int stopBucket, String maxHeap) {
        this.jar = jar;
        this.processName = processName;
        this.httpPortFile = httpPortFile;
        this.stopBucket = stopBucket;
        this.maxHeap = maxHeap;
    }

    /** The {@code -Xmx} value the daemon starts with ({@code STINGRAY_DAEMON_JVM_OPTS} can override it). */
    public String maxHeap() {
        return maxHeap;
    }

    public String jar() {
        return jar;
    }

    public String processName() {
        return processName;
    }

    public String httpPortFile() {
        return httpPortFile;
    }

    public int stopBucket() {
        return stopBucket;
    }

    public static java.util.Optional<DaemonKind> byProcessName(String name) {
        for (DaemonKind k : values()) {
            if (k.processName.equals(name)) {
                return java.util.Optional.of(k);
            }
        }
        return java.util.Optional.empty();
    }
}
