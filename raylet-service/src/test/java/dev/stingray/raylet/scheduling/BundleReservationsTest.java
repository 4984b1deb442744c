package dev.stingray.raylet.scheduling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.stingray.common.resources.BundleResources;
import dev.stingray.proto.Bundle;
import dev.stingray.raylet.LocalResources;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class BundleReservationsTest {

    private static final ByteString PG = ByteString.copyFrom(new byte[18]);
    private static final String HEX = HexFormat.of().formatHex(new byte[18]);

    private final LocalResources resources = new LocalResources(Map.of("CPU", 4.0, "memory", 100.0));
    private final AtomicInteger changes = new AtomicInteger();
    private final BundleReservations bundles = new BundleReservations(resources, changes::incrementAndGet);

    private static Bundle bundle(int index, double cpus) {
        return Bundle.newBuilder().setBundleId(Bundle.BundleIdentifier.newBuilder().setPlacementGroupId(PG).setBundleIndex(index))
                .putUnitResources("CPU", cpus).build();
    }

    @Test
    void prepareTakesAllOrNothingAndCommitAddsTheBundleResources() {
        assertThat(bundles.prepare(List.of(bundle(0, 3), bundle(1, 2)))).isFalse();
        assertThat(resources.available()).containsEntry("CPU", 4.0);

        assertThat(bundles.prepare(List.of(bundle(0, 1), bundle(1, 2)))).isTrue();
        assertThat(resources.available()).containsEntry("CPU", 1.0);
        // Prepared twice (a retried RPC): nothing more is taken.
        assertThat(bundles.prepare(List.of(bundle(0, 1), bundle(1, 2)))).isTrue();
        assertThat(resources.available()).containsEntry("CPU", 1.0);

        bundles.commit(List.of(bundle(0, 1), bundle(1, 2)));
        assertThat(resources.total()).containsEntry("CPU_group_0_" + HEX, 1.0).containsEntry("CPU_group_1_" + HEX, 2.0)
                .containsEntry("CPU_group_" + HEX, 3.0).containsEntry("bundle_group_" + HEX, 2 * BundleResources.BUNDLE_MARKER)
                .containsEntry("CPU", 4.0);
        assertThat(resources.available()).containsEntry("CPU_group_1_" + HEX, 2.0).containsEntry("CPU", 1.0);
    }

    @Test
    void cancelGivesEverythingBackAndRemovesTheBundleResources() {
        bundles.prepare(List.of(bundle(0, 1), bundle(1, 2)));
        bundles.commit(List.of(bundle(0, 1)));
        // A commit adds leasable resources: queued requests are retried.
        assertThat(changes).hasValue(1);
        changes.set(0);
        bundles.cancel(bundle(0, 1));
        bundles.cancel(bundle(1, 2));
        assertThat(resources.available()).isEqualTo(Map.of("CPU", 4.0, "memory", 100.0));
        assertThat(resources.total()).isEqualTo(Map.of("CPU", 4.0, "memory", 100.0));
        assertThat(changes).hasValue(2);
        // Unknown bundles are ignored.
        bundles.cancel(bundle(5, 1));
        assertThat(changes).hasValue(2);
    }

    @Test
    void aLeaseReturnedAfterItsBundleWasRemovedDoesNotResurrectTheBundleResources() {
        bundles.prepare(List.of(bundle(0, 1)));
        bundles.commit(List.of(bundle(0, 1)));
        assertThat(resources.tryTake(BundleResources.demandInBundle(PG, 0, Map.of("CPU", 1.0)))).isTrue();
        bundles.cancel(bundle(0, 1));
        resources.addAvailable(BundleResources.demandInBundle(PG, 0, Map.of("CPU", 1.0)));
        assertThat(resources.available()).isEqualTo(Map.of("CPU", 4.0, "memory", 100.0));
    }

    @Test
    void committingABundleThatWasNeverPreparedIsRejected() {
        assertThatThrownBy(() -> bundles.commit(List.of(bundle(3, 1)))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Bundle 3").hasMessageContaining("PrepareBundleResources");
    }
}
