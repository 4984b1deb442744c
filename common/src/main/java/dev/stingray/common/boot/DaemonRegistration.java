package dev.stingray.common.boot;

import dev.stingray.common.discovery.ServiceNames;
import dev.stingray.common.discovery.ServiceRecord;
import dev.stingray.common.gcs.GcsConnectionMonitor;
import dev.stingray.common.session.SessionDir;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.grpc.server.lifecycle.GrpcServerStartedEvent;

/**
 * Records the ports a daemon bound, writes them to port files in the session dir (Ray:
 * {@code port_persistence.cc}), announces the daemon in the service registry once the application is
 * ready, announces it again after a GCS restart, and withdraws it on graceful shutdown.
 */
public class DaemonRegistration implements GcsConnectionMonitor.Listener {

    private static final Logger log = LoggerFactory.getLogger(DaemonRegistration.class);

    private final ClusterProperties cluster;
    private final DaemonProperties daemon;
    private final ServiceRecordPublisher publisher;
    private final String version;
    private final long startTimeMs = System.currentTimeMillis();
    private final Map<String, Integer> ports = new LinkedHashMap<>();
    private final AtomicBoolean ready = new AtomicBoolean();
    private volatile boolean registered;

    public DaemonRegistration(ClusterProperties cluster, DaemonProperties daemon, ServiceRecordPublisher publisher, String version) {
        this.cluster = cluster;
        this.daemon = daemon;
        this.publisher = publisher;
        this.version = version;
    }

    @EventListener
    public void onGrpcStarted(GrpcServerStartedEvent event) {
        if (event.getPort() > 0) {
            recordPort(ServiceNames.GRPC_PORT, daemon.grpcPortFileName(), event.getPort());
        }
    }

    @EventListener
    public void onWebServerStarted(WebServerInitializedEvent event) {
        recordPort(ServiceNames.HTTP_PORT, daemon.httpPortFileName(), event.getWebServer().getPort());
    }

    private synchronized void recordPort(String name, String fileName, int port) {
        ports.put(name, port);
        if (cluster.sessionDir() != null && !cluster.nodeId().isBlank()) {
            String file = fileName.isBlank() ? daemon.service() + "_" + name + "_port" : fileName;
            new SessionDir(cluster.sessionDir()).writePort(file, cluster.nodeId(), port);
        }
    }

    public synchronized Map<String, Integer> ports() {
        return Map.copyOf(ports);
    }

    public int port(String name) {
        Integer p = ports().get(name);
        if (p == null) {
            throw new IllegalStateException(daemon.service() + " has not bound a " + name + " port yet");
        }
        return p;
    }

    public ServiceRecord record() {
        return new ServiceRecord(daemon.service(), cluster.nodeId(), cluster.nodeIpAddress(), ports(),
                ProcessHandle.current().pid(), version, startTimeMs);
    }

    /** Whether the registry holds this daemon's current record (part of readiness). */
    public boolean isRegistered() {
        return registered;
    }

    @EventListener
    public void onReady(ApplicationReadyEvent event) {
        ready.set(true);
        publish();
    }

    @Override
    public void onGcsConnected(com.google.protobuf.ByteString instanceId, boolean restarted) {
        if (ready.get() && (restarted || !registered)) {
            publish();
        }
    }

    private void publish() {
        try {
            publisher.publish(record());
            registered = true;
        } catch (RuntimeException e) {
            registered = false;
            log.warn("Could not register {} in the service registry yet: {}", daemon.service(), e.getMessage());
        }
    }

    @EventListener
    public void onClose(ContextClosedEvent event) {
        if (!registered) {
            return;
        }
        try {
            publisher.withdraw(record());
        } catch (RuntimeException e) {
            log.debug("Could not withdraw {} from the service registry: {}", daemon.service(), e.getMessage());
        }
        registered = false;
    }
}
