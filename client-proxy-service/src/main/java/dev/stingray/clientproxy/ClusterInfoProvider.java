package dev.stingray.clientproxy;

import com.google.protobuf.ByteString;
import dev.stingray.common.gcs.GcsClient;
import dev.stingray.common.gcs.KvNamespaces;
import dev.stingray.common.id.NodeId;
import dev.stingray.proto.AvailableResources;
import dev.stingray.proto.GcsNodeInfo;
import dev.stingray.proto.GetAllAvailableResourcesRequest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import tools.jackson.databind.json.JsonMapper;

/**
 * Answers the questions behind Ray Client's {@code ClusterInfo} from the GCS, shaped as the Python
 * API returns them on a driver ({@code python/ray/_private/state.py}: {@code ray.nodes()},
 * {@code ray.cluster_resources()}, {@code ray.available_resources()}).
 *
 * <p>Stateless: every call asks the GCS; the GCS client's {@code StatusRuntimeException}s propagate
 * to the caller. Thread-safe.
 */
public final class ClusterInfoProvider {

    private final GcsClient gcs;
    private final JsonMapper json = JsonMapper.builder().build();

    public ClusterInfoProvider(GcsClient gcs) {
        this.gcs = gcs;
    }

    /** {@code ray.nodes()} as JSON: one object per node in the node table, dead ones included. */
    public String nodesJson() {
        List<Map<String, Object>> nodes = gcs.getAllNodeInfo().stream().map(ClusterInfoProvider::nodeEntry).toList();
        return json.writeValueAsString(nodes);
    }

    // Ray: GlobalState._gen_node_info in python/ray/_private/state.py.
    private static Map<String, Object> nodeEntry(GcsNodeInfo node) {
        boolean alive = node.getState() == GcsNodeInfo.GcsNodeState.ALIVE;
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("NodeID", NodeId.fromBytes(node.getNodeId()).hex());
        entry.put("Alive", alive);
        entry.put("NodeManagerAddress", node.getNodeManagerAddress());
        entry.put("NodeManagerHostname", node.getNodeManagerHostname());
        entry.put("NodeManagerPort", node.getNodeManagerPort());
        entry.put("ObjectManagerPort", node.getObjectManagerPort());
        entry.put("MetricsExportPort", node.getMetricsExportPort());
        entry.put("RuntimeEnvAgentPort", node.getRuntimeEnvAgentPort());
        entry.put("NodeName", node.getNodeName());
        entry.put("IsHeadNode", node.getIsHeadNode());
        entry.put("state", node.getState().name());
        if (!alive) {
            entry.put("DeathReason", node.getDeathInfo().getReason().getNumber());
            entry.put("DeathReasonMessage", node.getDeathInfo().getReasonMessage());
        }
        entry.put("alive", alive);
        // Ray reports no resources for a dead node.
        entry.put("Resources", alive ? new TreeMap<>(node.getResourcesTotalMap()) : Map.of());
        entry.put("Labels", new TreeMap<>(node.getLabelsMap()));
        return entry;
    }

    /** {@code ray.cluster_resources()}: the total resources of the alive nodes, summed by name. */
    public Map<String, Double> clusterResources() {
        Map<String, Double> sum = new TreeMap<>();
        for (GcsNodeInfo node : gcs.getAllNodeInfo()) {
            if (node.getState() == GcsNodeInfo.GcsNodeState.ALIVE) {
                node.getResourcesTotalMap().forEach((name, amount) -> sum.merge(name, amount, Double::sum));
            }
        }
        return sum;
    }

    /** {@code ray.available_resources()}: what the GCS's resource view says is free, summed by name. */
    public Map<String, Double> availableResources() {
        Map<String, Double> sum = new TreeMap<>();
        for (AvailableResources node : gcs.resources()
                .getAllAvailableResources(GetAllAvailableResourcesRequest.getDefaultInstance()).getResourcesListList()) {
            node.getResourcesAvailableMap().forEach((name, amount) -> sum.merge(name, amount, Double::sum));
        }
        return sum;
    }

    /** The alive head node: the node a client's driver runs on, since the proxy lives on the head. */
    public Optional<ByteString> headNodeId() {
        return gcs.getAllNodeInfo().stream()
                .filter(n -> n.getIsHeadNode() && n.getState() == GcsNodeInfo.GcsNodeState.ALIVE)
                .map(GcsNodeInfo::getNodeId)
                .findFirst();
    }

    /** Ray's {@code session_name} (KV namespace {@code session}); empty when the GCS has none yet. */
    public String sessionName() {
        return gcs.kvGetString(KvNamespaces.SESSION, KvNamespaces.SESSION_NAME_KEY).orElse("");
    }

    /** The dashboard's address the dashboard registered in KV ({@code dashboard}/{@code dashboard}); empty when none runs. */
    public String dashboardUrl() {
        return gcs.kvGetString(KvNamespaces.DASHBOARD, KvNamespaces.DASHBOARD_ADDRESS_KEY).orElse("");
    }

    public String gcsAddress() {
        return gcs.address();
    }

    /**
     * Ray's {@code ray.util.list_named_actors(all_namespaces)} as JSON: the live named actors from the
     * GCS — {@code [{"name":…,"namespace":…}]} over all namespaces, or just their names in {@code namespace}.
     */
    public String namedActorsJson(boolean allNamespaces, String namespace) {
        var named = gcs.actors().listNamedActors(dev.stingray.proto.ListNamedActorsRequest.newBuilder()
                .setAllNamespaces(allNamespaces).setRayNamespace(namespace).build()).getNamedActorsListList();
        if (!allNamespaces) {
            return json.writeValueAsString(named.stream().map(dev.stingray.proto.NamedActorInfo::getName).toList());
        }
        return json.writeValueAsString(named.stream().map(n -> {
            Map<String, String> entry = new LinkedHashMap<>();
            entry.put("name", n.getName());
            entry.put("namespace", n.getRayNamespace());
            return entry;
        }).toList());
    }

    /** Serialises a small JSON answer (the {@code json} variant of ClusterInfo). */
    String toJson(Object value) {
        return json.writeValueAsString(value);
    }
}
