package dev.stingray.runtime.placementgroup;

import com.google.protobuf.ByteString;
import dev.stingray.proto.PlacementGroupTableData;
import io.ray.api.Ray;
import io.ray.api.id.PlacementGroupId;
import io.ray.api.placementgroup.PlacementGroup;
import io.ray.api.placementgroup.PlacementGroupState;
import io.ray.api.placementgroup.PlacementStrategy;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Stingray's {@link PlacementGroup} (Ray: {@code PlacementGroupImpl}): the group's id, name, bundles and
 * strategy, and its state when this object was made. {@link #wait(int)} asks the GCS. Serializable, so it
 * can be passed to tasks that place work in it.
 */
public final class PlacementGroupImpl implements PlacementGroup, Serializable {

    private static final long serialVersionUID = 1L;

    private final byte[] id;
    private final String name;
    private final List<Map<String, Double>> bundles;
    private final PlacementStrategy strategy;
    private final PlacementGroupState state;

    public PlacementGroupImpl(ByteString id, String name, List<Map<String, Double>> bundles, PlacementStrategy strategy,
            PlacementGroupState state) {
        this.id = id.toByteArray();
        this.name = name;
        List<Map<String, Double>> copy = new ArrayList<>();
        bundles.forEach(b -> copy.add(new HashMap<>(b)));
        this.bundles = copy;
        this.strategy = strategy;
        this.state = state;
    }

    /** The group as the GCS table row describes it. */
    public static PlacementGroupImpl of(PlacementGroupTableData row) {
        return new PlacementGroupImpl(row.getPlacementGroupId(), row.getName(),
                row.getBundlesList().stream().map(b -> (Map<String, Double>) new HashMap<>(b.getUnitResourcesMap())).toList(),
                PlacementStrategy.valueOf(row.getStrategy().name()), stateOf(row.getState()));
    }

    /** Ray Java's states: a PREPARED group is still PENDING to its users. */
    static PlacementGroupState stateOf(PlacementGroupTableData.PlacementGroupState state) {
        return switch (state) {
            case PENDING, PREPARED -> PlacementGroupState.PENDING;
            case CREATED -> PlacementGroupState.CREATED;
            case REMOVED -> PlacementGroupState.REMOVED;
            case RESCHEDULING -> PlacementGroupState.RESCHEDULING;
            default -> PlacementGroupState.UNRECOGNIZED;
        };
    }

    @Override
    public PlacementGroupId getId() {
        return PlacementGroupId.fromBytes(id);
    }

    @Override
    public String getName() {
        return name;
    }

    @Override
    public List<Map<String, Double>> getBundles() {
        return bundles;
    }

    @Override
    public PlacementStrategy getStrategy() {
        return strategy;
    }

    @Override
    public PlacementGroupState getState() {
        return state;
    }

    /** Waits up to {@code timeoutSeconds} for the group to be CREATED; false on timeout (Ray: {@code pg.wait}). */
    @Override
    public boolean wait(int timeoutSeconds) {
        return Ray.internal().waitPlacementGroupReady(getId(), timeoutSeconds);
    }

    @Override
    public String toString() {
        return "PlacementGroup(" + getId() + (name.isEmpty() ? "" : ", " + name) + ", " + strategy + ", " + bundles + ")";
    }
}
