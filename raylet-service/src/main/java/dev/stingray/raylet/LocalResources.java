package dev.stingray.raylet;

import java.util.Map;

/**
 * The raylet's own view of its resources. Each change bumps a version, so the reporter sends only
 * changed views and the GCS keeps only the newest (Ray: {@code LocalResourceManager}).
 *
 * <p>Thread-safe. Issue #3's leasing subtracts and returns quantities here.
 */
public final class LocalResources {

    private final Map<String, Double> total;
    private Map<String, Double> available;
    private long version = 1;

    public LocalResources(Map<String, Double> total) {
        this.total = Map.copyOf(total);
        this.available = Map.copyOf(total);
    }

    public Map<String, Double> total() {
        return total;
    }

    public synchronized Map<String, Double> available() {
        return available;
    }

    public synchronized long version() {
        return version;
    }

    public synchronized void setAvailable(Map<String, Double> newAvailable) {
        if (!newAvailable.equals(available)) {
            available = Map.copyOf(newAvailable);
            version++;
        }
    }
}
