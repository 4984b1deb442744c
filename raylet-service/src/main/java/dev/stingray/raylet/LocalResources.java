package dev.stingray.raylet;

import java.util.Map;

/**
 * The raylet's own view of its resources. Each change bumps a version, so the reporter sends only
 * changed views and the GCS keeps only the newest (Ray: {@code LocalResourceManager}).
 *
 * <p>Thread-safe. Leases take and return quantities here; committed placement-group bundles add
 * resources of their own to the total, and removed ones take them away.
 */
public final class LocalResources {

    private Map<String, Double> total;
    private Map<String, Double> available;
    private long version = 1;

    public LocalResources(Map<String, Double> total) {
        this.total = Map.copyOf(total);
        this.available = Map.copyOf(total);
    }

    public synchronized Map<String, Double> total() {
        return total;
    }

    public synchronized Map<String, Double> available() {
        return available;
    }

    public synchronized long version() {
        return version;
    }

    /** Adds {@code delta} (negative amounts take) to the available resources, atomically. */
    public synchronized void addAvailable(Map<String, Double> delta) {
        Map<String, Double> next = new java.util.HashMap<>(available);
        delta.forEach((k, v) -> {
            // A resource that left the total (a removed bundle) does not come back through a returned lease.
            if (total.containsKey(k)) {
                next.merge(k, v, Double::sum);
            }
        });
        setAvailable(next);
    }

    /** Takes {@code demand} from the available resources if it fits now; false (nothing taken) otherwise. */
    public synchronized boolean tryTake(Map<String, Double> demand) {
        if (!dev.stingray.common.resources.NodeResources.fits(available, demand)) {
            return false;
        }
        Map<String, Double> next = new java.util.HashMap<>(available);
        demand.forEach((k, v) -> next.merge(k, -v, Double::sum));
        setAvailable(next);
        return true;
    }

    /**
     * Adds resources that did not exist before (a committed bundle's), to the total and the available ones;
     * {@link #removeResources} takes them away again.
     */
    public synchronized void addResources(Map<String, Double> added) {
        Map<String, Double> nextTotal = new java.util.HashMap<>(total);
        Map<String, Double> nextAvailable = new java.util.HashMap<>(available);
        added.forEach((k, v) -> {
            nextTotal.merge(k, v, Double::sum);
            nextAvailable.merge(k, v, Double::sum);
        });
        total = Map.copyOf(nextTotal);
        available = Map.copyOf(nextAvailable);
        version++;
    }

    /** Takes away resources added by {@link #addResources}; a resource whose total reaches 0 disappears. */
    public synchronized void removeResources(Map<String, Double> removed) {
        Map<String, Double> nextTotal = new java.util.HashMap<>(total);
        Map<String, Double> nextAvailable = new java.util.HashMap<>(available);
        removed.forEach((k, v) -> {
            double left = nextTotal.getOrDefault(k, 0.0) - v;
            if (left <= 1e-9) {
                nextTotal.remove(k);
                nextAvailable.remove(k);
            } else {
                nextTotal.put(k, left);
                nextAvailable.merge(k, -v, Double::sum);
            }
        });
        total = Map.copyOf(nextTotal);
        available = Map.copyOf(nextAvailable);
        version++;
    }

    public synchronized void setAvailable(Map<String, Double> newAvailable) {
        if (!newAvailable.equals(available)) {
            available = Map.copyOf(newAvailable);
            version++;
        }
    }
}
