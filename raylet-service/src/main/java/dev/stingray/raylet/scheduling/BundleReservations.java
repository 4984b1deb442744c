package dev.stingray.raylet.scheduling;

import com.google.protobuf.ByteString;
import dev.stingray.common.resources.BundleResources;
import dev.stingray.proto.Bundle;
import dev.stingray.raylet.LocalResources;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's share of placement groups (Ray: {@code PlacementGroupResourceManager}), reserved in two
 * phases by the GCS:
 * <ol>
 *   <li>{@link #prepare}: the bundles' unit resources are taken from the available resources, all or none;</li>
 *   <li>{@link #commit}: the bundles' own resources ({@link BundleResources#committed}) are added, which
 *       tasks and actors placed in the bundle then lease;</li>
 *   <li>{@link #cancel}: rolls back a prepared bundle or removes a committed one, giving its unit resources back.</li>
 * </ol>
 * Every step is idempotent, so the GCS may repeat it after a lost reply.
 *
 * <p>Thread-safe: guarded by this object's monitor; {@link LocalResources} updates are atomic.
 */
public final class BundleReservations {

    private static final Logger log = LoggerFactory.getLogger(BundleReservations.class);

    private record Key(ByteString placementGroupId, int index) {
        static Key of(Bundle bundle) {
            return new Key(bundle.getBundleId().getPlacementGroupId(), bundle.getBundleId().getBundleIndex());
        }
    }

    private final LocalResources resources;
    private final Runnable onResourcesChanged;
    private final Map<Key, Bundle> prepared = new HashMap<>();
    private final Map<Key, Bundle> committed = new HashMap<>();

    /**
     * @param onResourcesChanged run after a commit or cancel changes the resources (queued lease requests are retried)
     */
    public BundleReservations(LocalResources resources, Runnable onResourcesChanged) {
        this.resources = resources;
        this.onResourcesChanged = onResourcesChanged;
    }

    /** Ray's {@code PrepareBundleResources}: reserves every bundle's unit resources, or none and answers false. */
    public synchronized boolean prepare(List<Bundle> bundles) {
        Map<String, Double> demand = new HashMap<>();
        for (Bundle b : bundles) {
            Key key = Key.of(b);
            if (!prepared.containsKey(key) && !committed.containsKey(key)) {
                b.getUnitResourcesMap().forEach((k, v) -> demand.merge(k, v, Double::sum));
            }
        }
        if (!resources.tryTake(demand)) {
            log.info("Cannot prepare {} bundle(s) needing {}: available {}", bundles.size(), demand, resources.available());
            return false;
        }
        for (Bundle b : bundles) {
            Key key = Key.of(b);
            if (!committed.containsKey(key)) {
                prepared.putIfAbsent(key, b);
            }
        }
        return true;
    }

    /**
     * Ray's {@code CommitBundleResources}: prepared bundles become resources that tasks and actors can lease;
     * lease requests queued for them are retried at once.
     */
    public void commit(List<Bundle> bundles) {
        commitLocked(bundles);
        onResourcesChanged.run();
    }

    private synchronized void commitLocked(List<Bundle> bundles) {
        for (Bundle b : bundles) {
            Key key = Key.of(b);
            Bundle ready = prepared.remove(key);
            if (ready == null) {
                if (!committed.containsKey(key)) {
                    throw new IllegalArgumentException("Bundle " + key.index() + " of placement group "
                            + java.util.HexFormat.of().formatHex(key.placementGroupId().toByteArray())
                            + " was not prepared on this node; call PrepareBundleResources first");
                }
                continue;
            }
            committed.put(key, ready);
            resources.addResources(BundleResources.committed(key.placementGroupId(), key.index(), ready.getUnitResourcesMap()));
        }
    }

    /** Ray's {@code CancelResourceReserve}: a prepared or committed bundle is released; unknown ones are ignored. */
    public void cancel(Bundle bundle) {
        synchronized (this) {
            Key key = Key.of(bundle);
            Bundle wasPrepared = prepared.remove(key);
            Bundle wasCommitted = committed.remove(key);
            if (wasCommitted != null) {
                resources.removeResources(BundleResources.committed(key.placementGroupId(), key.index(), wasCommitted.getUnitResourcesMap()));
                resources.addAvailable(wasCommitted.getUnitResourcesMap());
            } else if (wasPrepared != null) {
                resources.addAvailable(wasPrepared.getUnitResourcesMap());
            } else {
                return;
            }
        }
        onResourcesChanged.run();
    }

}
