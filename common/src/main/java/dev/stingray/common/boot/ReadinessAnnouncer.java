package dev.stingray.common.boot;

import dev.stingray.common.session.SessionDir;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.health.actuate.endpoint.HealthDescriptor;
import org.springframework.boot.health.actuate.endpoint.HealthEndpoint;
import org.springframework.boot.health.contributor.Status;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.context.event.EventListener;

/**
 * Pushes readiness to whoever launched the daemon: once the readiness probe ({@code /actuator/health/readiness},
 * the same group Kubernetes asks) is UP for the first time, writes the ready file
 * {@code <session>/<process>_<nodeIdHex>.ready} holding the pid, and removes it on shutdown. A launcher waits
 * for that file's creation event instead of polling each daemon's HTTP probe. The probe itself is evaluated
 * in-process every {@link #CHECK_PERIOD} until UP (it only reads cached state), then never again.
 */
public class ReadinessAnnouncer {

    static final Duration CHECK_PERIOD = Duration.ofMillis(20);
    private static final Logger log = LoggerFactory.getLogger(ReadinessAnnouncer.class);

    private final Path readyFile;
    private final ObjectProvider<HealthEndpoint> health;
    private volatile boolean closed;

    /** @param readyFile where to announce readiness; null when the daemon has no session dir (nothing to announce) */
    public ReadinessAnnouncer(Path readyFile, ObjectProvider<HealthEndpoint> health) {
        this.readyFile = readyFile;
        this.health = health;
    }

    /** The ready file of a daemon of a cluster, or null when it runs without a session dir or node id. */
    public static Path readyFileOf(ClusterProperties cluster, DaemonProperties daemon) {
        if (cluster.sessionDir() == null || cluster.nodeId().isBlank() || daemon.service() == null) {
            return null;
        }
        return new SessionDir(cluster.sessionDir()).readyFile(daemon.service(), cluster.nodeId());
    }

    @EventListener(ApplicationReadyEvent.class)
    public void onApplicationReady() {
        if (readyFile == null) {
            return;
        }
        Thread announcer = new Thread(this::announceWhenReady, "readiness-announcer");
        announcer.setDaemon(true);
        announcer.start();
    }

    private void announceWhenReady() {
        HealthEndpoint endpoint = health.getIfAvailable();
        try {
            while (!closed && endpoint != null && !isUp(endpoint.healthForPath("readiness"))) {
                Thread.sleep(CHECK_PERIOD.toMillis());
            }
            if (!closed) {
                SessionDir.writeAtomically(readyFile, Long.toString(ProcessHandle.current().pid()));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            log.warn("Could not announce readiness in {}: {}", readyFile, e.toString());
        }
    }

    private static boolean isUp(HealthDescriptor readiness) {
        return readiness != null && Status.UP.equals(readiness.getStatus());
    }

    @EventListener(ContextClosedEvent.class)
    public void onClose() {
        closed = true;
        if (readyFile != null) {
            try {
                Files.deleteIfExists(readyFile);
            } catch (IOException e) {
                log.debug("Could not remove {}: {}", readyFile, e.toString());
            }
        }
    }
}
