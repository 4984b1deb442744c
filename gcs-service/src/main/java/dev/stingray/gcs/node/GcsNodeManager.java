package dev.stingray.gcs.node;

import com.google.protobuf.ByteString;
import dev.stingray.common.error.ErrorCode;
import dev.stingray.common.error.StingrayException;
import dev.stingray.common.id.NodeId;
import dev.stingray.gcs.pubsub.GcsPublisher;
import dev.stingray.gcs.store.GcsTable;
import dev.stingray.proto.ChannelType;
import dev.stingray.proto.GcsNodeAddressAndLiveness;
import dev.stingray.proto.GcsNodeInfo;
import dev.stingray.proto.GetAllNodeInfoRequest;
import dev.stingray.proto.GetAllNodeInfoReply;
import dev.stingray.proto.NodeDeathInfo;
import dev.stingray.proto.PubMessage;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node table (Ray: {@code gcs_node_manager.cc}). Every mutation is persisted, then cached, then
 * published on {@code GCS_NODE_INFO_CHANNEL} and {@code GCS_NODE_ADDRESS_AND_LIVENESS_CHANNEL}, then
 * answered. Dead nodes stay queryable up to {@code maxDeadNodes} (Ray's
 * {@code maximum_gcs_dead_node_cached_count}); older ones are deleted.
 *
 * <p>Thread-safe: handlers run under this object's monitor; listeners are called outside it.
 */
public final class GcsNodeManager {

    private static final Logger log = LoggerFactory.getLogger(GcsNodeManager.class);

    private final GcsTable<GcsNodeInfo> table;
    private final GcsPublisher publisher;
    private final Clock clock;
    private final int maxDeadNodes;
    private final Map<ByteString, GcsNodeInfo> alive = new LinkedHashMap<>();
    private final LinkedHashMap<ByteString, GcsNodeInfo> dead = new LinkedHashMap<>();
    private final List<NodeListener> listeners = new CopyOnWriteArrayList<>();

    public GcsNodeManager(GcsTable<GcsNodeInfo> table, GcsPublisher publisher, Clock clock, int maxDeadNodes) {
        this.table = table;
        this.publisher = publisher;
        this.clock = clock;
        this.maxDeadNodes = maxDeadNodes;
    }

    public void addListener(NodeListener listener) {
        listeners.add(listener);
    }

    /** Loads the stored table before the server opens its port (Ray: {@code GcsInitData}). */
    public synchronized void initialize() {
        List<GcsNodeInfo> deadNodes = new ArrayList<>();
        table.getAll().forEach((id, node) -> {
            if (node.getState() == GcsNodeInfo.GcsNodeState.ALIVE) {
                alive.put(id, node);
            } else {
                deadNodes.add(node);
            }
        });
        deadNodes.sort(java.util.Comparator.comparingLong(GcsNodeInfo::getEndTimeMs));
        deadNodes.forEach(n -> dead.put(n.getNodeId(), n));
        log.info("Loaded {} alive and {} dead nodes", alive.size(), dead.size());
    }

    /** Nodes recorded ALIVE when the GCS started; the wiring re-adds their health checks. */
    public synchronized List<GcsNodeInfo> aliveNodes() {
        return List.copyOf(alive.values());
    }

    /**
     * Ray's {@code HandleRegisterNode}. Registering an alive node again (a raylet re-registering after
     * a GCS restart) updates it; a node recorded DEAD cannot come back.
     */
    public void handleRegisterNode(GcsNodeInfo request) {
        NodeId id = parseId(request.getNodeId());
        GcsNodeInfo oldHead = null;
        GcsNodeInfo node;
        boolean isNew;
        synchronized (this) {
            if (dead.containsKey(id.bytes())) {
                throw new StingrayException(ErrorCode.FAILED_PRECONDITION, "Node " + id.hex()
                        + " was marked DEAD and cannot register again; start the node anew with `stingray start` (it gets a new id)");
            }
            if (request.getIsHeadNode()) {
                oldHead = alive.values().stream()
                        .filter(n -> n.getIsHeadNode() && !n.getNodeId().equals(id.bytes()))
                        .findFirst().orElse(null);
            }
            isNew = !alive.containsKey(id.bytes());
            node = request.toBuilder()
                    .setState(GcsNodeInfo.GcsNodeState.ALIVE)
                    .clearDeathInfo()
                    .setStartTimeMs(request.getStartTimeMs() == 0 ? clock.millis() : request.getStartTimeMs())
                    .build();
        }
        if (oldHead != null) {
            // Ray: a new head registering while an old head is alive fails the old one first.
            failNode(NodeId.fromBytes(oldHead.getNodeId()), NodeDeathInfo.Reason.UNEXPECTED_TERMINATION,
                    "A new head node " + id.hex() + " registered; the old head node is considered dead");
        }
        synchronized (this) {
            table.put(id.bytes(), node);
            alive.put(id.bytes(), node);
        }
        publish(node);
        if (isNew) {
            log.info("Registered node {} at {}:{}{}", id.hex(), node.getNodeManagerAddress(), node.getNodeManagerPort(),
                    node.getIsHeadNode() ? " (head)" : "");
            listeners.forEach(l -> l.onNodeAdded(node));
        } else {
            log.info("Node {} registered again", id.hex());
        }
    }

    /** Ray's {@code HandleUnregisterNode}: the raylet leaves on purpose (e.g. EXPECTED_TERMINATION). */
    public void handleUnregisterNode(ByteString nodeId, NodeDeathInfo deathInfo) {
        NodeId id = parseId(nodeId);
        synchronized (this) {
            if (dead.containsKey(id.bytes())) {
                return; // idempotent
            }
            if (!alive.containsKey(id.bytes())) {
                throw StingrayException.notFound("Node " + id.hex() + " is not registered; `stingray list nodes` shows the known nodes");
            }
        }
        failNode(id, deathInfo.getReason(), deathInfo.getReasonMessage());
    }

    /** Called by the health check manager when a node missed too many checks (Ray: {@code OnNodeFailure}). */
    public void onNodeFailure(NodeId id, String address) {
        failNode(id, NodeDeathInfo.Reason.UNEXPECTED_TERMINATION, "The node with node id: " + id.hex() + " and address: " + address
                + " has been marked dead because the detector has missed too many heartbeats from it. This can happen when a"
                + " (1) raylet crashes unexpectedly (OOM, etc.) (2) raylet has lagging heartbeats due to slow network or busy workload.");
    }

    private void failNode(NodeId id, NodeDeathInfo.Reason reason, String message) {
        GcsNodeInfo deadNode;
        synchronized (this) {
            GcsNodeInfo node = alive.get(id.bytes());
            if (node == null) {
                return;
            }
            deadNode = node.toBuilder()
                    .setState(GcsNodeInfo.GcsNodeState.DEAD)
                    .setEndTimeMs(clock.millis())
                    .setDeathInfo(NodeDeathInfo.newBuilder().setReason(reason).setReasonMessage(message))
                    .build();
            table.put(id.bytes(), deadNode);
            alive.remove(id.bytes());
            dead.put(id.bytes(), deadNode);
            evictOldDeadNodes();
        }
        log.warn("Node {} is DEAD ({}): {}", id.hex(), reason, message);
        publish(deadNode);
        listeners.forEach(l -> l.onNodeRemoved(deadNode));
    }

    private void evictOldDeadNodes() {
        while (dead.size() > maxDeadNodes) {
            ByteString oldest = dead.keySet().iterator().next();
            dead.remove(oldest);
            table.delete(oldest);
        }
    }

    private void publish(GcsNodeInfo node) {
        publisher.publish(ChannelType.GCS_NODE_INFO_CHANNEL, node.getNodeId(), PubMessage.newBuilder().setNodeInfoMessage(node));
        publisher.publish(ChannelType.GCS_NODE_ADDRESS_AND_LIVENESS_CHANNEL, node.getNodeId(),
                PubMessage.newBuilder().setNodeAddressAndLivenessMessage(GcsNodeAddressAndLiveness.newBuilder()
                        .setNodeId(node.getNodeId())
                        .setNodeManagerAddress(node.getNodeManagerAddress())
                        .setNodeManagerPort(node.getNodeManagerPort())
                        .setState(node.getState())
                        .setDeathInfo(node.getDeathInfo())));
    }

    /** Ray's {@code HandleGetAllNodeInfo}: selectors are OR-ed, then the state filter, then the limit. */
    public synchronized GetAllNodeInfoReply handleGetAllNodeInfo(GetAllNodeInfoRequest request) {
        if (request.hasLimit() && request.getLimit() < 0) {
            throw StingrayException.invalidArgument("limit must not be negative, got " + request.getLimit());
        }
        List<GcsNodeInfo> all = new ArrayList<>(alive.values());
        all.addAll(dead.values());
        List<GcsNodeInfo> matching = new ArrayList<>();
        for (GcsNodeInfo node : all) {
            if (request.hasStateFilter() && node.getState() != request.getStateFilter()) {
                continue;
            }
            if (request.getNodeSelectorsCount() > 0 && request.getNodeSelectorsList().stream().noneMatch(s -> matches(s, node))) {
                continue;
            }
            matching.add(node);
        }
        long limit = request.hasLimit() ? request.getLimit() : Long.MAX_VALUE;
        List<GcsNodeInfo> returned = matching.stream().limit(limit).toList();
        return GetAllNodeInfoReply.newBuilder()
                .addAllNodeInfoList(returned)
                .setTotal(all.size())
                .setNumFiltered(all.size() - returned.size())
                .build();
    }

    private static boolean matches(GetAllNodeInfoRequest.NodeSelector selector, GcsNodeInfo node) {
        return switch (selector.getNodeSelectorCase()) {
            case NODE_ID -> node.getNodeId().equals(selector.getNodeId());
            case NODE_NAME -> node.getNodeName().equals(selector.getNodeName());
            case NODE_IP_ADDRESS -> node.getNodeManagerAddress().equals(selector.getNodeIpAddress());
            case IS_HEAD_NODE -> node.getIsHeadNode() == selector.getIsHeadNode();
            case NODESELECTOR_NOT_SET -> true;
        };
    }

    /** Ray's {@code HandleCheckAlive}: answered from the alive cache. */
    public synchronized List<Boolean> handleCheckAlive(List<ByteString> nodeIds) {
        List<Boolean> result = new ArrayList<>(nodeIds.size());
        for (ByteString id : nodeIds) {
            parseId(id);
            result.add(alive.containsKey(id));
        }
        return result;
    }

    public synchronized java.util.Optional<GcsNodeInfo> getAliveNode(NodeId id) {
        return java.util.Optional.ofNullable(alive.get(id.bytes()));
    }

    public synchronized boolean isAlive(ByteString id) {
        return alive.containsKey(id);
    }

    private static NodeId parseId(ByteString bytes) {
        if (bytes.size() != NodeId.SIZE) {
            throw StingrayException.invalidArgument("Invalid node id of " + bytes.size() + " bytes (hex '"
                    + java.util.HexFormat.of().formatHex(bytes.toByteArray()) + "'): a node id has " + NodeId.SIZE + " bytes");
        }
        return NodeId.fromBytes(bytes);
    }
}
