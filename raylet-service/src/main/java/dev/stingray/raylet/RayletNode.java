package dev.stingray.raylet;

import com.google.protobuf.ByteString;
import dev.stingray.common.boot.ClusterProperties;
import dev.stingray.common.boot.DaemonExit;
import dev.stingray.common.boot.DaemonRegistration;
import dev.stingray.common.discovery.ServiceNames;
import dev.stingray.common.gcs.GcsClient;
import dev.stingray.common.gcs.GcsConnectionMonitor;
import dev.stingray.common.id.NodeId;
import dev.stingray.common.registration.RetryingRegistration;
import dev.stingray.common.session.SessionDir;
import dev.stingray.proto.GcsNodeInfo;
import dev.stingray.proto.GetAllNodeInfoRequest;
import dev.stingray.proto.NodeDeathInfo;
import dev.stingray.proto.ReportResourceUsageRequest;
import dev.stingray.proto.ResourcesData;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.protobuf.services.HealthStatusManager;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The raylet's membership in the cluster (Ray: {@code NodeManager::RegisterGcs}, {@code main.cc}):
 * marks its gRPC health service SERVING under the node id, registers the node with every port,
 * reports its resource view when it changes (at most every report period), registers again after a
 * GCS restart, exits when the GCS marks it DEAD, and unregisters with EXPECTED_TERMINATION on a
 * graceful stop.
 *
 * <p>Registration runs on its own thread; reports on the {@code raylet-reporter} thread; GCS
 * connection callbacks on the monitor's thread.
 */
public final class RayletNode implements GcsConnectionMonitor.Listener {

    private static final Logger log = LoggerFactory.getLogger(RayletNode.class);

    private final java.util.List<Runnable> afterFirstRegistration = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final NodeId nodeId;
    private final RayletProperties properties;
    private final ClusterProperties cluster;
    private final GcsClient gcs;
    private final GcsConnectionMonitor monitor;
    private final DaemonRegistration daemon;
    private final HealthStatusManager health;
    private final LocalResources resources;
    private final DaemonExit exit;
    private final long startTimeMs = System.currentTimeMillis();
    private final ScheduledExecutorService reporter = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "raylet-reporter");
        t.setDaemon(true);
        return t;
    });
    private final AtomicBoolean registered = new AtomicBoolean();
    private final AtomicBoolean exiting = new AtomicBoolean();
    private volatile long reportedVersion = -1;
    private volatile int agentPort;

    public RayletNode(RayletProperties properties, ClusterProperties cluster, GcsClient gcs, GcsConnectionMonitor monitor,
            DaemonRegistration daemon, HealthStatusManager health, LocalResources resources, DaemonExit exit) {
        if (cluster.nodeId().isBlank()) {
            throw new IllegalArgumentException("stingray.cluster.node-id is not set; the launcher (stingray start) passes the node id");
        }
        this.nodeId = NodeId.fromHex(cluster.nodeId());
        this.properties = properties;
        this.cluster = cluster;
        this.gcs = gcs;
        this.monitor = monitor;
        this.daemon = daemon;
        this.health = health;
        this.resources = resources;
        this.exit = exit;
    }

    public NodeId nodeId() {
        return nodeId;
    }

    public boolean isRegistered() {
        return registered.get();
    }

    /** Called once the gRPC and HTTP ports are bound. */
    /** Runs {@code action} once the node is first registered with the GCS (on the registration thread). */
    public void afterFirstRegistration(Runnable action) {
        afterFirstRegistration.add(action);
    }

    public void start() {
        health.setStatus(nodeId.hex(), HealthCheckResponse.ServingStatus.SERVING);
        monitor.addListener(this);
        Thread t = new Thread(this::registerOrExit, "raylet-registration");
        t.setDaemon(true);
        t.start();
        reporter.scheduleWithFixedDelay(this::reportIfChanged, properties.reportPeriod().toMillis(),
                properties.reportPeriod().toMillis(), TimeUnit.MILLISECONDS);
    }

    private void registerOrExit() {
        RetryingRegistration registration = new RetryingRegistration("Registering node " + nodeId.hex() + " with the GCS at " + gcs.address(),
                Duration.ofMillis(50), Duration.ofMillis(200), properties.registerTimeout());
        RetryingRegistration.Outcome outcome = registration.register(() -> gcs.registerNode(nodeInfo()));
        if (outcome instanceof RetryingRegistration.Success) {
            registered.set(true);
            reportedVersion = -1;
            monitor.watchNode(nodeId);
            log.info("Node {} registered with the GCS at {} (resources {})", nodeId.hex(), gcs.address(), resources.total());
            afterFirstRegistration.forEach(Runnable::run);
        } else if (outcome instanceof RetryingRegistration.Rejected r) {
            exit.exit(1, "The GCS at " + gcs.address() + " rejected node " + nodeId.hex() + ": " + r.reason());
        } else if (outcome instanceof RetryingRegistration.TimedOut t) {
            exit.exit(1, "Could not register node " + nodeId.hex() + " with the GCS at " + gcs.address() + " within "
                    + properties.registerTimeout().toSeconds() + " s (" + t.lastError()
                    + "). Check that the head is running (`stingray status --address " + gcs.address() + "`).");
        }
    }

    GcsNodeInfo nodeInfo() {
        Map<String, Integer> ports = daemon.ports();
        String hostname;
        try {
            hostname = InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            hostname = cluster.nodeIpAddress();
        }
        GcsNodeInfo.Builder node = GcsNodeInfo.newBuilder()
                .setNodeId(nodeId.bytes())
                .setNodeManagerAddress(cluster.nodeIpAddress())
                .setNodeManagerHostname(hostname)
                .setNodeManagerPort(ports.getOrDefault(ServiceNames.GRPC_PORT, 0))
                .setManagementPort(ports.getOrDefault(ServiceNames.HTTP_PORT, 0))
                .setDashboardAgentListenPort(agentPort)
                .putAllResourcesTotal(resources.total())
                .putAllLabels(dev.stingray.common.resources.NodeResources.parseLabels(properties.labels()))
                .putLabels("ray.io/node-id", nodeId.hex())
                .setNodeName(properties.nodeName().isBlank() ? cluster.nodeIpAddress() : properties.nodeName())
                .setIsHeadNode(properties.head())
                .setStartTimeMs(startTimeMs)
                .setTempDir(properties.tempDir())
                .setRayletPid((int) ProcessHandle.current().pid());
        if (cluster.sessionDir() != null) {
            node.setSessionDir(cluster.sessionDir().toString());
        }
        return node.build();
    }

    private void reportIfChanged() {
        if (!registered.get()) {
            return;
        }
        try {
            refreshAgentPort();
            long version = resources.version();
            if (version == reportedVersion) {
                return;
            }
            gcs.resources().reportResourceUsage(ReportResourceUsageRequest.newBuilder().setResources(ResourcesData.newBuilder()
                    .setNodeId(nodeId.bytes())
                    .putAllResourcesTotal(resources.total())
                    .putAllResourcesAvailable(resources.available())
                    .setVersion(version)).build());
            reportedVersion = version;
        } catch (RuntimeException e) {
            log.debug("Resource report failed: {}", e.getMessage());
        }
    }

    /** The dashboard agent writes its port file after the raylet registered; publish it once known. */
    private void refreshAgentPort() {
        if (agentPort != 0 || cluster.sessionDir() == null) {
            return;
        }
        new SessionDir(cluster.sessionDir()).readPort("dashboard_agent_listen_port", nodeId.hex()).ifPresent(port -> {
            agentPort = port;
            gcs.registerNode(nodeInfo());
        });
    }

    @Override
    public void onGcsConnected(ByteString instanceId, boolean restarted) {
        if (restarted && registered.get()) {
            log.info("GCS restarted; registering node {} again", nodeId.hex());
            reRegister();
        }
    }

    /** Registers again (GCS restart, {@code NotifyGCSRestart}); the view is reported anew. */
    public void reRegister() {
        try {
            gcs.registerNode(nodeInfo());
            reportedVersion = -1;
        } catch (io.grpc.StatusRuntimeException e) {
            if (e.getStatus().getCode() == io.grpc.Status.Code.FAILED_PRECONDITION) {
                onNodeNotAlive();
            } else {
                log.warn("Registering again failed: {}", e.getStatus());
            }
        }
    }

    @Override
    public void onNodeNotAlive() {
        if (!exiting.compareAndSet(false, true)) {
            return;
        }
        String reason = "unknown";
        try {
            reason = gcs.nodeInfo().getAllNodeInfo(GetAllNodeInfoRequest.newBuilder()
                    .addNodeSelectors(GetAllNodeInfoRequest.NodeSelector.newBuilder().setNodeId(nodeId.bytes())).build())
                    .getNodeInfoListList().stream().findFirst()
                    .map(n -> n.getDeathInfo().getReason() + ": " + n.getDeathInfo().getReasonMessage()).orElse(reason);
        } catch (RuntimeException e) {
            // Keep "unknown".
        }
        registered.set(false);
        exit.exit(1, "[Exiting] The GCS marked this node (" + nodeId.hex() + ") DEAD (" + reason + "). The raylet exits;"
                + " start a new node with `stingray start --address=" + gcs.address() + "`.");
    }

    /** Graceful stop: leave the cluster with EXPECTED_TERMINATION (Ray: SIGTERM handler of the raylet). */
    public void stop() {
        // From here on the GCS rightly reports this node not alive; that must not turn the stop into exit(1).
        boolean alreadyExiting = exiting.getAndSet(true);
        reporter.shutdownNow();
        health.setStatus(nodeId.hex(), HealthCheckResponse.ServingStatus.NOT_SERVING);
        if (registered.getAndSet(false) && !alreadyExiting) {
            try {
                gcs.unregisterNode(nodeId, NodeDeathInfo.Reason.EXPECTED_TERMINATION, "Received SIGTERM: the raylet was stopped gracefully");
                log.info("Node {} unregistered from the GCS", nodeId.hex());
            } catch (RuntimeException e) {
                log.warn("Could not unregister node {}: {}", nodeId.hex(), e.getMessage());
            }
        }
    }
}
