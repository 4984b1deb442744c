package dev.stingray.agent;

import com.google.protobuf.ByteString;
import dev.stingray.common.gcs.GcsClient;
import dev.stingray.common.gcs.GcsConnectionMonitor;
import dev.stingray.common.gcs.KvNamespaces;
import dev.stingray.common.id.NodeId;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.event.EventListener;
import tools.jackson.databind.json.JsonMapper;

/**
 * Announces the agent's address in the GCS's internal KV, namespace {@code dashboard}, overwriting
 * (Ray: {@code dashboard/agent.py}, {@code DashboardAgent.run}):
 * <ul>
 *   <li>{@code DASHBOARD_AGENT_ADDR_NODE_ID_PREFIX:<nodeIdHex>} → {@code ["<ip>", <http_port>, -1]}</li>
 *   <li>{@code DASHBOARD_AGENT_ADDR_IP_PREFIX:<ip>} → {@code ["<nodeIdHex>", <http_port>, -1]}</li>
 * </ul>
 * {@code -1} is the gRPC port: this agent runs no gRPC server, which Ray writes as -1.
 *
 * <p>Writes once the HTTP port is known and the GCS answers, again after every GCS restart (a GCS
 * without Redis forgets its KV), and retries every period until a write succeeds.
 *
 * <p>Threading: every KV write runs on the single {@code agent-address-registration} thread; the
 * web-server event and the GCS monitor callback only hand work to it.
 */
public final class AgentAddressRegistration implements GcsConnectionMonitor.Listener, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AgentAddressRegistration.class);
    /** Ray writes -1 for a server the agent does not run. */
    static final int NO_PORT = -1;

    private final GcsClient gcs;
    private final NodeId nodeId;
    private final String nodeIp;
    private final JsonMapper json = JsonMapper.builder().build();
    private final ScheduledExecutorService executor;
    private volatile int httpPort;
    private volatile boolean registered;

    public AgentAddressRegistration(GcsClient gcs, NodeId nodeId, String nodeIp, Duration retryPeriod) {
        this.gcs = gcs;
        this.nodeId = nodeId;
        this.nodeIp = nodeIp;
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "agent-address-registration");
            t.setDaemon(true);
            return t;
        });
        executor.scheduleWithFixedDelay(this::registerIfNeeded, retryPeriod.toMillis(), retryPeriod.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The main web server (not a separate management server) is bound: its port is the agent's HTTP port. */
    @EventListener
    public void onWebServerStarted(WebServerInitializedEvent event) {
        String namespace = event.getApplicationContext().getServerNamespace();
        if (namespace == null || namespace.isEmpty()) {
            httpPort = event.getWebServer().getPort();
            executor.execute(this::registerIfNeeded);
        }
    }

    @Override
    public void onGcsConnected(ByteString instanceId, boolean restarted) {
        if (restarted) {
            registered = false;
        }
        executor.execute(this::registerIfNeeded);
    }

    /** Whether the last write of both keys succeeded (and no GCS restart happened since). */
    public boolean isRegistered() {
        return registered;
    }

    public String nodeIdKey() {
        return KvNamespaces.DASHBOARD_AGENT_ADDR_NODE_ID_PREFIX + nodeId.hex();
    }

    public String ipKey() {
        return KvNamespaces.DASHBOARD_AGENT_ADDR_IP_PREFIX + nodeIp;
    }

    private void registerIfNeeded() {
        int port = httpPort;
        if (registered || port <= 0) {
            return;
        }
        try {
            gcs.kvPut(KvNamespaces.DASHBOARD, nodeIdKey(), address(nodeIp, port), true);
            gcs.kvPut(KvNamespaces.DASHBOARD, ipKey(), address(nodeId.hex(), port), true);
            registered = true;
            log.info("Registered the dashboard agent of node {} at {}:{} in the GCS KV", nodeId.hex(), nodeIp, port);
        } catch (RuntimeException e) {
            log.debug("Could not register the dashboard agent address yet (GCS at {}): {}", gcs.address(), e.getMessage());
        }
    }

    /** Ray's {@code json.dumps([first, http_port, grpc_port])}, with Python's ", " separators. */
    String address(String first, int port) {
        return "[" + json.writeValueAsString(first) + ", " + port + ", " + NO_PORT + "]";
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
