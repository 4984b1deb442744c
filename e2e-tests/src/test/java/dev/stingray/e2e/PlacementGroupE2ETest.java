package dev.stingray.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import dev.stingray.common.id.NodeId;
import dev.stingray.e2e.actors.Counter;
import dev.stingray.e2e.tasks.Tasks;
import dev.stingray.proto.Bundle;
import dev.stingray.proto.GetAllAvailableResourcesRequest;
import dev.stingray.proto.GetPlacementGroupRequest;
import dev.stingray.proto.PlacementGroupTableData;
import io.ray.api.ActorHandle;
import io.ray.api.PlacementGroups;
import io.ray.api.Ray;
import io.ray.api.options.PlacementGroupCreationOptions;
import io.ray.api.placementgroup.PlacementGroup;
import io.ray.api.placementgroup.PlacementGroupState;
import io.ray.api.placementgroup.PlacementStrategy;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Placement groups on a real cluster started by the CLI, driven by ordinary Ray Java code: a STRICT_SPREAD
 * group that cannot be placed on one node stays pending until a second node joins, then spreads over both;
 * tasks and actors run in their bundle's node; names, removal (resources come back), STRICT_PACK, and
 * bundles of a killed node placed again on a node that joins later.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PlacementGroupE2ETest {

    private static DriverCluster cluster;
    private static StingrayNode worker;

    @BeforeAll
    static void start() {
        cluster = DriverCluster.start();
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static PlacementGroup create(String name, PlacementStrategy strategy, List<Map<String, Double>> bundles) {
        PlacementGroupCreationOptions.Builder options = new PlacementGroupCreationOptions.Builder().setBundles(bundles).setStrategy(strategy);
        if (name != null) {
            options.setName(name);
        }
        return PlacementGroups.createPlacementGroup(options.build());
    }

    private static PlacementGroupTableData row(PlacementGroup group) {
        return cluster.gcs.placementGroups().getPlacementGroup(GetPlacementGroupRequest.newBuilder()
                .setPlacementGroupId(ByteString.copyFrom(group.getId().getBytes())).build()).getPlacementGroupTableData();
    }

    private static String nodeOfBundle(PlacementGroup group, int index) {
        return NodeId.fromBytes(row(group).getBundles(index).getNodeId()).hex();
    }

    private static double availableCpus() {
        return cluster.gcs.resources().getAllAvailableResources(GetAllAvailableResourcesRequest.getDefaultInstance()).getResourcesListList().stream()
                .mapToDouble(r -> r.getResourcesAvailableMap().getOrDefault("CPU", 0.0)).sum();
    }

    @Test
    @Order(1)
    void strictSpreadWaitsForASecondNodeThenRunsWorkInItsBundles() {
        PlacementGroup group = create("spread", PlacementStrategy.STRICT_SPREAD, List.of(Map.of("CPU", 1.0), Map.of("CPU", 1.0)));
        // One node cannot hold two bundles under STRICT_SPREAD: the group stays pending.
        assertThat(group.wait(3)).isFalse();
        assertThat(PlacementGroups.getPlacementGroup(group.getId()).getState()).isEqualTo(PlacementGroupState.PENDING);
        assertThat(cluster.cli.ok("list", "placement-groups", "--temp-dir=" + cluster.head.tempDir()).stdout()).contains("spread").contains("PENDING")
                .contains("STRICT_SPREAD");

        worker = cluster.cli.startWorker(cluster.gcsAddress, "--num-cpus=1");
        assertThat(group.wait(60)).isTrue();
        assertThat(PlacementGroups.getPlacementGroup(group.getId()).getState()).isEqualTo(PlacementGroupState.CREATED);
        assertThat(List.of(nodeOfBundle(group, 0), nodeOfBundle(group, 1))).containsExactlyInAnyOrder(cluster.head.nodeIdHex(), worker.nodeIdHex());

        // Work placed in a bundle runs on the bundle's node.
        for (int i = 0; i < 2; i++) {
            assertThat(Ray.task(Tasks::nodeId).setPlacementGroup(group, i).remote().get()).isEqualTo(nodeOfBundle(group, i));
        }
        ActorHandle<Counter> actor = Ray.actor(Counter::new).setPlacementGroup(group, 1).remote();
        assertThat(actor.task(Counter::nodeId).remote().get()).isEqualTo(nodeOfBundle(group, 1));
        actor.kill();
        assertThatThrownBy(() -> Ray.task(Tasks::nodeId).setPlacementGroup(group, 2).remote())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Invalid bundle index 2");

        assertThat(PlacementGroups.getPlacementGroup("spread").getId()).isEqualTo(group.getId());
        assertThat(PlacementGroups.getAllPlacementGroups()).extracting(PlacementGroup::getId).contains(group.getId());
        assertThatThrownBy(() -> create("spread", PlacementStrategy.PACK, List.of(Map.of("CPU", 0.1))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'spread' already exists");

        // Removing the group gives its CPUs back to the nodes.
        await().atMost(Duration.ofSeconds(10)).until(() -> availableCpus() == 1.0);
        PlacementGroups.removePlacementGroup(group.getId());
        assertThat(PlacementGroups.getPlacementGroup(group.getId()).getState()).isEqualTo(PlacementGroupState.REMOVED);
        assertThat(PlacementGroups.getPlacementGroup("spread")).isNull();
        await().atMost(Duration.ofSeconds(20)).until(() -> availableCpus() == 3.0);
    }

    @Test
    @Order(2)
    void strictPackPutsEveryBundleOnOneNode() {
        PlacementGroup group = create(null, PlacementStrategy.STRICT_PACK, List.of(Map.of("CPU", 0.5), Map.of("CPU", 0.5), Map.of("CPU", 0.5)));
        assertThat(group.wait(30)).isTrue();
        assertThat(row(group).getBundlesList()).extracting(Bundle::getNodeId).containsOnly(NodeId.fromHex(cluster.head.nodeIdHex()).bytes());
        PlacementGroups.removePlacementGroup(group.getId());
    }

    @Test
    @Order(3)
    void bundlesOfAKilledNodeArePlacedAgainWhenANodeJoins() throws Exception {
        PlacementGroup group = create(null, PlacementStrategy.STRICT_SPREAD, List.of(Map.of("CPU", 1.0), Map.of("CPU", 1.0)));
        assertThat(group.wait(30)).isTrue();
        int onWorker = nodeOfBundle(group, 0).equals(worker.nodeIdHex()) ? 0 : 1;
        String kept = nodeOfBundle(group, 1 - onWorker);

        assertThat(new ProcessBuilder("kill", "-9", Long.toString(worker.pid("raylet"))).start().waitFor()).isZero();
        await().atMost(Duration.ofSeconds(30)).until(() -> row(group).getState() == PlacementGroupTableData.PlacementGroupState.RESCHEDULING);
        assertThat(nodeOfBundle(group, 1 - onWorker)).isEqualTo(kept);

        StingrayNode replacement = cluster.cli.startWorker(cluster.gcsAddress, "--num-cpus=1");
        await().atMost(Duration.ofSeconds(60)).until(() -> row(group).getState() == PlacementGroupTableData.PlacementGroupState.CREATED);
        assertThat(nodeOfBundle(group, onWorker)).isEqualTo(replacement.nodeIdHex());
        assertThat(nodeOfBundle(group, 1 - onWorker)).isEqualTo(kept);
        assertThat(Ray.task(Tasks::nodeId).setPlacementGroup(group, onWorker).remote().get()).isEqualTo(replacement.nodeIdHex());
    }
}
