package dev.stingray.gcs.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.stingray.common.error.ErrorCode;
import dev.stingray.common.error.StingrayException;
import dev.stingray.common.id.NodeId;
import dev.stingray.gcs.pubsub.GcsPublisher;
import dev.stingray.gcs.store.GcsTable;
import dev.stingray.gcs.store.InMemoryStoreClient;
import dev.stingray.proto.GcsNodeInfo;
import dev.stingray.proto.GetAllNodeInfoRequest;
import dev.stingray.proto.NodeDeathInfo;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class GcsNodeManagerTest {

    private final InMemoryStoreClient store = new InMemoryStoreClient();
    private final GcsTable<GcsNodeInfo> table = new GcsTable<>(store, "NODE", GcsNodeInfo.parser());
    private final GcsPublisher publisher = new GcsPublisher(Clock.systemUTC(), Duration.ofSeconds(30), Duration.ofSeconds(300), 5000, 100);
    private final GcsNodeManager nodes = new GcsNodeManager(table, publisher, Clock.systemUTC(), 2);
    private final List<GcsNodeInfo> removed = new ArrayList<>();

    GcsNodeManagerTest() {
        nodes.addListener(new NodeListener() {
            @Override
            public void onNodeRemoved(GcsNodeInfo node) {
                removed.add(node);
            }
        });
    }

    private static GcsNodeInfo node(NodeId id, boolean head) {
        return GcsNodeInfo.newBuilder().setNodeId(id.bytes()).setNodeManagerAddress("127.0.0.1").setNodeManagerPort(1234)
                .setIsHeadNode(head).putResourcesTotal("CPU", 2).build();
    }

    @Test
    void registerPersistsAndUnregisterMarksDeadWithDeathInfo() {
        NodeId id = NodeId.random();
        nodes.handleRegisterNode(node(id, false));
        assertThat(table.get(id.bytes())).get().extracting(GcsNodeInfo::getState).isEqualTo(GcsNodeInfo.GcsNodeState.ALIVE);
        assertThat(nodes.handleCheckAlive(List.of(id.bytes()))).containsExactly(true);

        nodes.handleUnregisterNode(id.bytes(), NodeDeathInfo.newBuilder().setReason(NodeDeathInfo.Reason.EXPECTED_TERMINATION).build());

        GcsNodeInfo dead = table.get(id.bytes()).orElseThrow();
        assertThat(dead.getState()).isEqualTo(GcsNodeInfo.GcsNodeState.DEAD);
        assertThat(dead.getDeathInfo().getReason()).isEqualTo(NodeDeathInfo.Reason.EXPECTED_TERMINATION);
        assertThat(nodes.handleCheckAlive(List.of(id.bytes()))).containsExactly(false);
        assertThat(removed).extracting(GcsNodeInfo::getNodeId).containsExactly(id.bytes());
    }

    @Test
    void healthCheckFailureMarksUnexpectedTerminationWithRaysMessage() {
        NodeId id = NodeId.random();
        nodes.handleRegisterNode(node(id, false));
        nodes.onNodeFailure(id, "127.0.0.1:1234");
        GcsNodeInfo dead = nodes.handleGetAllNodeInfo(GetAllNodeInfoRequest.newBuilder()
                .setStateFilter(GcsNodeInfo.GcsNodeState.DEAD).build()).getNodeInfoList(0);
        assertThat(dead.getDeathInfo().getReason()).isEqualTo(NodeDeathInfo.Reason.UNEXPECTED_TERMINATION);
        assertThat(dead.getDeathInfo().getReasonMessage()).contains("missed too many heartbeats");
    }

    @Test
    void deadNodeCannotRegisterAgainAndUnknownNodesAreNotFound() {
        NodeId id = NodeId.random();
        nodes.handleRegisterNode(node(id, false));
        nodes.onNodeFailure(id, "x");
        assertThatThrownBy(() -> nodes.handleRegisterNode(node(id, false)))
                .isInstanceOfSatisfying(StingrayException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.FAILED_PRECONDITION));
        NodeId unknown = NodeId.random();
        assertThatThrownBy(() -> nodes.handleUnregisterNode(unknown.bytes(), NodeDeathInfo.getDefaultInstance()))
                .isInstanceOfSatisfying(StingrayException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND))
                .hasMessageContaining(unknown.hex());
        assertThatThrownBy(() -> nodes.handleCheckAlive(List.of(ByteString.copyFromUtf8("short"))))
                .isInstanceOfSatisfying(StingrayException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT));
    }

    @Test
    void deadNodesAreBoundedAndFiltersWork() {
        List<NodeId> ids = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            NodeId id = NodeId.random();
            ids.add(id);
            nodes.handleRegisterNode(node(id, i == 0));
        }
        for (int i = 1; i < 4; i++) {
            nodes.onNodeFailure(ids.get(i), "x");
        }
        var all = nodes.handleGetAllNodeInfo(GetAllNodeInfoRequest.getDefaultInstance());
        assertThat(all.getNodeInfoListList()).hasSize(3);
        assertThat(table.get(ids.get(1).bytes())).as("oldest dead node evicted from storage").isEmpty();
        var heads = nodes.handleGetAllNodeInfo(GetAllNodeInfoRequest.newBuilder()
                .addNodeSelectors(GetAllNodeInfoRequest.NodeSelector.newBuilder().setIsHeadNode(true)).build());
        assertThat(heads.getNodeInfoListList()).extracting(GcsNodeInfo::getNodeId).containsExactly(ids.get(0).bytes());
        assertThatThrownBy(() -> nodes.handleGetAllNodeInfo(GetAllNodeInfoRequest.newBuilder().setLimit(-1).build()))
                .isInstanceOf(StingrayException.class);
    }

    @Test
    void reloadsAliveAndDeadNodesFromStorage() {
        NodeId alive = NodeId.random();
        NodeId dead = NodeId.random();
        nodes.handleRegisterNode(node(alive, false));
        nodes.handleRegisterNode(node(dead, false));
        nodes.onNodeFailure(dead, "x");

        GcsNodeManager restarted = new GcsNodeManager(table, publisher, Clock.systemUTC(), 10);
        restarted.initialize();
        assertThat(restarted.aliveNodes()).extracting(GcsNodeInfo::getNodeId).containsExactly(alive.bytes());
        assertThat(restarted.handleCheckAlive(List.of(alive.bytes(), dead.bytes()))).containsExactly(true, false);
    }
}
