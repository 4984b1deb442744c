package dev.stingray.common.boot;

import dev.stingray.common.gcs.GcsConnectionMonitor;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Readiness contributor {@code gcs}: UP while the GCS answers and this daemon is registered in it.
 * Reads cached state from the {@link GcsConnectionMonitor}; never calls the GCS on the probe path.
 * Liveness never includes it, so a GCS outage does not restart healthy daemons.
 */
public class GcsHealthIndicator implements HealthIndicator {

    private final GcsConnectionMonitor monitor;
    private final DaemonRegistration registration;
    private final String gcsAddress;

    public GcsHealthIndicator(GcsConnectionMonitor monitor, DaemonRegistration registration, String gcsAddress) {
        this.monitor = monitor;
        this.registration = registration;
        this.gcsAddress = gcsAddress;
    }

    @Override
    public Health health() {
        if (!monitor.isReachable()) {
            return Health.down().withDetail("gcsAddress", gcsAddress).withDetail("reason", "GCS unreachable").build();
        }
        if (!registration.isRegistered()) {
            return Health.down().withDetail("gcsAddress", gcsAddress).withDetail("reason", "not registered yet").build();
        }
        return Health.up().withDetail("gcsAddress", gcsAddress).build();
    }
}
