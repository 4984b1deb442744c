package dev.stingray.common.resources;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BundleResourcesTest {

    private static final ByteString PG = ByteString.copyFrom(new byte[18]);

    @Test
    void theOriginalNameIsRecoveredOnlyFromNamesThatFormatMade() {
        assertThat(BundleResources.originalName(BundleResources.format("CPU", PG, 1))).isEqualTo("CPU");
        assertThat(BundleResources.originalName(BundleResources.format("my_gpu", PG, -1))).isEqualTo("my_gpu");
        assertThat(BundleResources.originalName("my_group_x")).isEqualTo("my_group_x");
        assertThat(BundleResources.demandInBundle(PG, 0, Map.of("CPU", 1.0)).keySet())
                .extracting(BundleResources::originalName).containsExactlyInAnyOrder("CPU", BundleResources.BUNDLE);
    }
}
