package dev.stingray.gcs.placement;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.stingray.proto.PlacementStrategy;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BundlePlacementTest {

    private static final ByteString A = ByteString.copyFromUtf8("node-a");
    private static final ByteString B = ByteString.copyFromUtf8("node-b");
    private static final ByteString C = ByteString.copyFromUtf8("node-c");

    private static Map<ByteString, Map<String, Double>> nodes(double a, double b, double c) {
        Map<ByteString, Map<String, Double>> nodes = new LinkedHashMap<>();
        nodes.put(A, Map.of("CPU", a));
        nodes.put(B, Map.of("CPU", b));
        nodes.put(C, Map.of("CPU", c));
        return nodes;
    }

    private static Map<Integer, Map<String, Double>> cpus(double... amounts) {
        Map<Integer, Map<String, Double>> bundles = new LinkedHashMap<>();
        for (int i = 0; i < amounts.length; i++) {
            bundles.put(i, Map.of("CPU", amounts[i]));
        }
        return bundles;
    }

    @Test
    void strictPackNeedsOneNodeForAll() {
        assertThat(BundlePlacement.place(PlacementStrategy.STRICT_PACK, cpus(1, 1), Map.of(), nodes(1, 2, 4)))
                .hasValueSatisfying(p -> assertThat(p.values()).containsOnly(B));
        assertThat(BundlePlacement.place(PlacementStrategy.STRICT_PACK, cpus(2, 2), Map.of(), nodes(1, 2, 3))).isEmpty();
    }

    @Test
    void packUsesOneNodeWhenItCanElseFillsNodesOneByOne() {
        assertThat(BundlePlacement.place(PlacementStrategy.PACK, cpus(1, 1), Map.of(), nodes(1, 2, 4)))
                .hasValueSatisfying(p -> assertThat(p.values()).containsOnly(B));
        assertThat(BundlePlacement.place(PlacementStrategy.PACK, cpus(1, 1, 1), Map.of(), nodes(2, 1, 0)))
                .hasValueSatisfying(p -> assertThat(p.values()).containsExactlyInAnyOrder(A, A, B));
    }

    @Test
    void strictSpreadNeedsADifferentNodeForEachBundleIncludingPlacedOnes() {
        assertThat(BundlePlacement.place(PlacementStrategy.STRICT_SPREAD, cpus(1, 1, 1), Map.of(), nodes(1, 1, 1)))
                .hasValueSatisfying(p -> assertThat(p.values()).containsExactlyInAnyOrder(A, B, C));
        assertThat(BundlePlacement.place(PlacementStrategy.STRICT_SPREAD, cpus(1, 1), Map.of(), nodes(4, 0, 0))).isEmpty();
        // Bundle 0 kept its node A; bundle 1 may not go there even though A has room.
        assertThat(BundlePlacement.place(PlacementStrategy.STRICT_SPREAD, Map.of(1, Map.of("CPU", 1.0)), Map.of(0, A), nodes(4, 0, 1)))
                .hasValue(Map.of(1, C));
        assertThat(BundlePlacement.place(PlacementStrategy.STRICT_SPREAD, Map.of(1, Map.of("CPU", 1.0)), Map.of(0, A), nodes(4, 0, 0)))
                .isEmpty();
    }

    @Test
    void spreadPrefersUnusedNodesButMayShare() {
        assertThat(BundlePlacement.place(PlacementStrategy.SPREAD, cpus(1, 1), Map.of(), nodes(2, 1, 0)))
                .hasValueSatisfying(p -> assertThat(p.values()).containsExactlyInAnyOrder(A, B));
        assertThat(BundlePlacement.place(PlacementStrategy.SPREAD, cpus(1, 1), Map.of(), nodes(2, 0, 0)))
                .hasValueSatisfying(p -> assertThat(p.values()).containsOnly(A));
    }

    @Test
    void otherResourcesCountToo() {
        Map<ByteString, Map<String, Double>> nodes = new LinkedHashMap<>();
        nodes.put(A, Map.of("CPU", 4.0));
        nodes.put(B, Map.of("CPU", 1.0, "GPU", 1.0));
        assertThat(BundlePlacement.place(PlacementStrategy.PACK, Map.of(0, Map.of("GPU", 1.0)), Map.of(), nodes)).hasValue(Map.of(0, B));
    }
}
