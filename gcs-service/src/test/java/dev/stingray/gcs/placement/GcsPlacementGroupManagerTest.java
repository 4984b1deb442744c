package dev.stingray.gcs.placement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import dev.stingray.common.error.ErrorCode;
import dev.stingray.common.error.StingrayException;
import dev.stingray.gcs.store.GcsTable;
import dev.stingray.gcs.store.InMemoryStoreClient;
import dev.stingray.proto.Bundle;
import dev.stingray.proto.CancelResourceReserveReply;
import dev.stingray.proto.CancelResourceReserveRequest;
import dev.stingray.proto.CommitBundleResourcesReply;
import dev.stingray.proto.CommitBundleResourcesRequest;
import dev.stingray.proto.GcsNodeInfo;
import dev.stingray.proto.NodeManagerServiceGrpc;
import dev.stingray.proto.PlacementGroupTableData;
import dev.stingray.proto.PlacementGroupTableData.PlacementGroupState;
import dev.stingray.proto.PlacementStrategy;
import dev.stingray.proto.PrepareBundleResourcesReply;
import dev.stingray.proto.PrepareBundleResourcesRequest;
import dev.stingray.proto.ResourcesData;
import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The two-phase reservation against two raylets played by real gRPC servers on loopback: a refused
 * prepare on one node rolls back the bundle prepared on the other, and the group is tried again until
 * both prepare, then committed on both.
 */
class GcsPlacementGroupManagerTest {

    /** A raylet's bundle RPCs: records every call; prepare answers as {@link #accept} says. */
    static final class FakeRaylet extends NodeManagerServiceGrpc.NodeManagerServiceImplBase {
        final AtomicBoolean accept = new AtomicBoolean(true);
        final List<String> calls = new CopyOnWriteArrayList<>();
        final Server server;

        FakeRaylet() throws IOException {
            server = NettyServerBuilder.forPort(0).addService(this).build().start();
        }

        @Override
        public void prepareBundleResources(PrepareBundleResourcesRequest request, StreamObserver<PrepareBundleResourcesReply> observer) {
            calls.add("prepare " + indexes(request.getBundleSpecsList()) + (accept.get() ? " ok" : " refused"));
            observer.onNext(PrepareBundleResourcesReply.newBuilder().setSuccess(accept.get()).build());
            observer.onCompleted();
        }

        @Override
        public void commitBundleResources(CommitBundleResourcesRequest request, StreamObserver<CommitBundleResourcesReply> observer) {
            calls.add("commit " + indexes(request.getBundleSpecsList()));
            observer.onNext(CommitBundleResourcesReply.getDefaultInstance());
            observer.onCompleted();
        }

        @Override
        public void cancelResourceReserve(CancelResourceReserveRequest request, StreamObserver<CancelResourceReserveReply> observer) {
            calls.add("cancel " + request.getBundleSpec().getBundleId().getBundleIndex());
            observer.onNext(CancelResourceReserveReply.getDefaultInstance());
            observer.onCompleted();
        }

        private static List<Integer> indexes(List<Bundle> bundles) {
            return bundles.stream().map(b -> b.getBundleId().getBundleIndex()).toList();
        }
    }

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final FakeRaylet first = new FakeRaylet();
    private final FakeRaylet second = new FakeRaylet();
    private final Map<ByteString, GcsNodeInfo> nodes = Map.of(nodeId(1), node(1, first), nodeId(2), node(2, second));
    private final GcsTable<PlacementGroupTableData> table = new GcsTable<>(new InMemoryStoreClient(), "PLACEMENT_GROUP",
            PlacementGroupTableData.parser());
    private final GcsPlacementGroupManager groups = new GcsPlacementGroupManager(table,
            () -> List.of(view(1), view(2)), id -> Optional.ofNullable(nodes.get(id)), Executors.newCachedThreadPool(), timer,
            Clock.systemUTC());

    GcsPlacementGroupManagerTest() throws IOException {
    }

    private static ByteString nodeId(int n) {
        byte[] id = new byte[28];
        id[0] = (byte) n;
        return ByteString.copyFrom(id);
    }

    private static GcsNodeInfo node(int n, FakeRaylet raylet) {
        return GcsNodeInfo.newBuilder().setNodeId(nodeId(n)).setNodeManagerAddress("127.0.0.1").setNodeManagerPort(raylet.server.getPort())
                .build();
    }

    private static ResourcesData view(int n) {
        return ResourcesData.newBuilder().setNodeId(nodeId(n)).putResourcesAvailable("CPU", 1).putResourcesTotal("CPU", 1).build();
    }

    private static PlacementGroupTableData spec(String name) {
        byte[] id = new byte[GcsPlacementGroupManager.PLACEMENT_GROUP_ID_SIZE];
        id[0] = 7;
        return PlacementGroupTableData.newBuilder().setPlacementGroupId(ByteString.copyFrom(id)).setName(name).setRayNamespace("ns")
                .setStrategy(PlacementStrategy.STRICT_SPREAD)
                .addBundles(Bundle.newBuilder().putUnitResources("CPU", 1))
                .addBundles(Bundle.newBuilder().putUnitResources("CPU", 1))
                .build();
    }

    @AfterEach
    void stop() {
        timer.shutdownNow();
        groups.close();
        first.server.shutdownNow();
        second.server.shutdownNow();
    }

    @Test
    void aRefusedPrepareRollsBackTheOtherNodeAndTheGroupIsCreatedOnceBothPrepare() {
        second.accept.set(false);
        PlacementGroupTableData spec = spec("pair");
        groups.handleCreatePlacementGroup(spec);
        var ready = groups.handleWaitPlacementGroupUntilReady(spec.getPlacementGroupId());

        await().atMost(Duration.ofSeconds(10)).until(() -> first.calls.contains("cancel 0") || first.calls.contains("cancel 1"));
        assertThat(first.calls).noneMatch(c -> c.startsWith("commit"));
        assertThat(groups.handleGetPlacementGroup(spec.getPlacementGroupId()).getState()).isEqualTo(PlacementGroupState.PENDING);
        assertThat(ready).isNotDone();

        second.accept.set(true);
        await().atMost(Duration.ofSeconds(10)).until(ready::isDone);
        PlacementGroupTableData created = groups.handleGetPlacementGroup(spec.getPlacementGroupId());
        assertThat(created.getState()).isEqualTo(PlacementGroupState.CREATED);
        assertThat(created.getBundlesList()).extracting(Bundle::getNodeId).containsExactlyInAnyOrder(nodeId(1), nodeId(2));
        assertThat(first.calls).anyMatch(c -> c.startsWith("commit"));
        assertThat(second.calls).anyMatch(c -> c.startsWith("commit"));

        groups.handleRemovePlacementGroup(spec.getPlacementGroupId());
        await().atMost(Duration.ofSeconds(10)).until(() -> first.calls.stream().filter(c -> c.startsWith("cancel")).count() >= 2
                && second.calls.stream().anyMatch(c -> c.startsWith("cancel")));
        assertThatThrownBy(() -> groups.handleGetNamedPlacementGroup("pair", "ns"))
                .isInstanceOfSatisfying(StingrayException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
    }

    @Test
    void badSpecsAreRejectedWithTheValue() {
        assertThatThrownBy(() -> groups.handleCreatePlacementGroup(spec("x").toBuilder().clearBundles().build()))
                .hasMessageContaining("at least one bundle");
        assertThatThrownBy(() -> groups.handleCreatePlacementGroup(spec("x").toBuilder()
                .setBundles(0, Bundle.newBuilder().putUnitResources("CPU", -1)).build())).hasMessageContaining("-1.0 of CPU");
        assertThatThrownBy(() -> groups.handleCreatePlacementGroup(spec("x").toBuilder().setPlacementGroupId(ByteString.copyFromUtf8("short"))
                .build())).hasMessageContaining("5 bytes");
        assertThat(table.getAll()).isEmpty();
    }
}
