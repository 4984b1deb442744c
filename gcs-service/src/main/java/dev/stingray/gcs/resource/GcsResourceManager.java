package dev.stingray.gcs.resource;

import com.google.protobuf.ByteString;
import dev.stingray.common.error.StingrayException;
import dev.stingray.common.id.NodeId;
import dev.stingray.gcs.node.NodeListener;
import dev.stingray.proto.GcsNodeInfo;
import dev.stingray.proto.ResourcesData;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The resource view of every alive node (Ray: {@code gcs_resource_manager.cc}). Raylets report only
 * when their view changed; a report with an older version than the one held is ignored. Views are not
 * persisted: after a GCS restart the raylets report again. Each report also counts as a passed health
 * check.
 *
 * <p>Thread-safe: guarded by this object's monitor.
 */
public final class GcsResourceManager implements NodeListener {

    private final Map<ByteString, ResourcesData> views = new LinkedHashMap<>();
    private final java.util.function.Predicate<ByteString> isAlive;
    private final Consumer<ByteString> onReport;

    public GcsResourceManager(java.util.function.Predicate<ByteString> isAlive, Consumer<ByteString> onReport) {
        this.isAlive = isAlive;
        this.onReport = onReport;
    }

    @Override
    public synchronized void onNodeAdded(GcsNodeInfo node) {
        views.putIfAbsent(node.getNodeId(), ResourcesData.newBuilder()
                .setNodeId(node.getNodeId())
                .putAllResourcesTotal(node.getResourcesTotalMap())
                .putAllResourcesAvailable(node.getResourcesTotalMap())
                .build());
    }

    @Override
    public synchronized void onNodeRemoved(GcsNodeInfo node) {
        views.remove(node.getNodeId());
    }

    /** A raylet's changed resource view. NOT_FOUND when the node is not alive. */
    public void handleReportResourceUsage(ResourcesData data) {
        if (data.getNodeId().size() != NodeId.SIZE) {
            throw StingrayException.invalidArgument("Invalid node id of " + data.getNodeId().size() + " bytes in a resource report");
        }
        if (!isAlive.test(data.getNodeId())) {
            throw StingrayException.notFound("Node " + NodeId.fromBytes(data.getNodeId()).hex()
                    + " is not an alive node; register it before reporting resources");
        }
        synchronized (this) {
            ResourcesData held = views.get(data.getNodeId());
            if (held == null || data.getVersion() >= held.getVersion()) {
                views.put(data.getNodeId(), data);
            }
        }
        onReport.accept(data.getNodeId());
    }

    public synchronized List<ResourcesData> allViews() {
        return List.copyOf(views.values());
    }

    /** Sum of one kind of quantity over all alive nodes. */
    public synchronized Map<String, Double> sum(boolean available) {
        Map<String, Double> total = new LinkedHashMap<>();
        for (ResourcesData view : views.values()) {
            (available ? view.getResourcesAvailableMap() : view.getResourcesTotalMap()).forEach((k, v) -> total.merge(k, v, Double::sum));
        }
        return total;
    }
}
