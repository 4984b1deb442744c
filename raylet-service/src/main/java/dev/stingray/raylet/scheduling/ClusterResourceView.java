package dev.stingray.raylet.scheduling;

import com.google.protobuf.ByteString;
import dev.stingray.common.gcs.GcsClient;
import dev.stingray.proto.Address;
import dev.stingray.proto.GcsNodeInfo;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The raylet's view of the other nodes, refreshed from the GCS (Ray receives it over RaySyncer): each
 * alive node's address, total and available resources. Used only to choose a spillback target.
 *
 * <p>Thread-safe: refresh replaces an immutable snapshot.
 */
public final class ClusterResourceView {

    /** One node as last seen. */
    public record NodeView(ByteString nodeId, Address raylet, Map<String, Double> total, Map<String, Double> available) {
    }

    private final GcsClient gcs;
    private volatile List<NodeView> nodes = List.of();

    public ClusterResourceView(GcsClient gcs) {
        this.gcs = gcs;
    }

    public void refresh() {
        // The reported views: their totals include the bundle resources of committed placement groups.
        Map<ByteString, dev.stingray.proto.ResourcesData> views = new HashMap<>();
        for (dev.stingray.proto.ResourcesData v : gcs.resources().getAllResourceUsage(dev.stingray.proto.GetAllResourceUsageRequest
                .getDefaultInstance()).getResourceUsageData().getBatchList()) {
            views.put(v.getNodeId(), v);
        }
        List<NodeView> fresh = new ArrayList<>();
        for (GcsNodeInfo n : gcs.getAllNodeInfo()) {
            if (n.getState() == GcsNodeInfo.GcsNodeState.ALIVE) {
                dev.stingray.proto.ResourcesData view = views.get(n.getNodeId());
                Map<String, Double> total = view == null || view.getResourcesTotalMap().isEmpty() ? n.getResourcesTotalMap() : view.getResourcesTotalMap();
                fresh.add(new NodeView(n.getNodeId(),
                        Address.newBuilder().setNodeId(n.getNodeId()).setIpAddress(n.getNodeManagerAddress()).setPort(n.getNodeManagerPort()).build(),
                        total, view == null ? total : view.getResourcesAvailableMap()));
            }
        }
        nodes = List.copyOf(fresh);
    }

    /**
     * Another node for a demand: one with the resources available now (the least utilized first, as the
     * hybrid policy spreads once the local node is busy), else one that could ever run it.
     */
    public Optional<NodeView> pick(Map<String, Double> demand, ByteString excludeNode) {
        NodeView best = null;
        double bestFree = -1;
        NodeView feasible = null;
        for (NodeView n : nodes) {
            if (n.nodeId().equals(excludeNode) || !LeaseManager.fits(n.total(), demand)) {
                continue;
            }
            if (feasible == null) {
                feasible = n;
            }
            if (LeaseManager.fits(n.available(), demand)) {
                double free = n.available().getOrDefault("CPU", 0.0) / Math.max(1e-9, n.total().getOrDefault("CPU", 1.0));
                if (free > bestFree) {
                    best = n;
                    bestFree = free;
                }
            }
        }
        return Optional.ofNullable(best != null ? best : feasible);
    }

    /** Whether any alive node (this one included) could ever run the demand. */
    public boolean anyFeasible(Map<String, Double> demand) {
        return nodes.stream().anyMatch(n -> LeaseManager.fits(n.total(), demand));
    }
}
