package dev.stingray.runtime.client;

import dev.stingray.runtime.BaseRuntimeContext;
import io.ray.api.BaseActorHandle;
import io.ray.api.id.JobId;
import io.ray.api.id.TaskId;
import io.ray.api.id.UniqueId;
import io.ray.api.runtimecontext.NodeInfo;
import java.util.List;

/**
 * The runtime context of a Ray Client: the session's job, namespace and driver node as the server's
 * {@code Init} reported them; the cluster's nodes from the server's {@code ClusterInfo(NODES)} (Ray's
 * {@code ray.nodes()} JSON).
 */
final class ClientRuntimeContext extends BaseRuntimeContext {

    private static final tools.jackson.databind.json.JsonMapper JSON = tools.jackson.databind.json.JsonMapper.builder().build();

    private final java.util.function.Supplier<String> nodesJson;

    ClientRuntimeContext(JobId jobId, String namespace, UniqueId nodeId, java.util.function.Supplier<String> nodesJson) {
        super(jobId, nodeId, namespace);
        this.nodesJson = nodesJson;
    }

    @Override
    public TaskId getCurrentTaskId() {
        throw new UnsupportedOperationException("A Ray Client runs no task; there is no current task id");
    }

    @Override
    public List<NodeInfo> getAllNodeInfo() {
        return nodesFromJson(nodesJson.get());
    }

    /** Ray's {@code ray.nodes()} entries (NodeID, NodeManagerAddress, ..., Resources, Labels) as the API's NodeInfo. */
    static List<NodeInfo> nodesFromJson(String json) {
        List<NodeInfo> nodes = new java.util.ArrayList<>();
        for (tools.jackson.databind.JsonNode n : JSON.readTree(json)) {
            java.util.Map<String, Double> resources = new java.util.TreeMap<>();
            n.path("Resources").properties().forEach(e -> resources.put(e.getKey(), e.getValue().asDouble()));
            java.util.Map<String, String> labels = new java.util.TreeMap<>();
            n.path("Labels").properties().forEach(e -> labels.put(e.getKey(), e.getValue().asString()));
            nodes.add(new NodeInfo(new UniqueId(java.util.HexFormat.of().parseHex(n.path("NodeID").asString())), n.path("NodeManagerAddress").asString(),
                    n.path("NodeManagerHostname").asString(), n.path("NodeManagerPort").asInt(), "", "", n.path("Alive").asBoolean(),
                    resources, labels));
        }
        return nodes;
    }

    @Override
    public <T extends BaseActorHandle> T getCurrentActorHandle() {
        throw new UnsupportedOperationException("A Ray Client is not an actor");
    }
}
