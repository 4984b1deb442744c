package dev.stingray.raylet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import oshi.SystemInfo;

/** A node's total resources from flags and the machine (Ray: {@code resource_spec.py}). */
class NodeResourcesDetectorTest {

    private static RayletProperties properties(Double cpus, Double gpus, Long memory, Long objectStore, String resources) {
        return new RayletProperties(0, cpus, gpus, memory, objectStore, resources, "", false, "", "/tmp/stingray",
                Duration.ofMillis(100), Duration.ofSeconds(60), "", java.util.List.of(), Duration.ofSeconds(60), Duration.ofSeconds(30), -1, -1,
                "", false, 0.8);
    }

    @Test
    void flagsWinOverDetection() {
        Map<String, Double> total = NodeResourcesDetector.detect(properties(3.5, 1.0, 1_000L, 500L, "{\"custom\": 2}"));

        assertThat(total).containsExactly(
                Map.entry("CPU", 3.5), Map.entry("GPU", 1.0), Map.entry("memory", 1000.0),
                Map.entry("object_store_memory", 500.0), Map.entry("custom", 2.0));
    }

    @Test
    void defaultsAreCoresNoGpuAndAtMostThirtyPercentOfMemoryForTheObjectStore() {
        Map<String, Double> total = NodeResourcesDetector.detect(properties(null, null, null, null, ""));

        long physical = new SystemInfo().getHardware().getMemory().getTotal();
        assertThat(total).containsEntry("CPU", (double) Runtime.getRuntime().availableProcessors());
        assertThat(total).doesNotContainKey("GPU");
        assertThat(total).containsOnlyKeys("CPU", "memory", "object_store_memory");
        double objectStore = total.get("object_store_memory");
        assertThat(objectStore).isPositive().isLessThanOrEqualTo(physical * NodeResourcesDetector.OBJECT_STORE_PROPORTION);
        assertThat(total.get("memory")).isPositive();
        assertThat(total.get("memory") + objectStore).isLessThanOrEqualTo((double) physical);
    }

    @Test
    void defaultObjectStoreIsThirtyPercentOfAvailableWithinTheCaps() {
        assertThat(NodeResourcesDetector.defaultObjectStore(1_000)).isEqualTo(300);
        assertThat(NodeResourcesDetector.defaultObjectStore(10_000_000)).isLessThanOrEqualTo(3_000_000);
        assertThat(NodeResourcesDetector.defaultObjectStore(Long.MAX_VALUE / 2)).isLessThanOrEqualTo(NodeResourcesDetector.OBJECT_STORE_CAP);
    }

    @Test
    void zeroGpusLeaveNoGpuKeyAndFractionalCpusAreRounded() {
        Map<String, Double> total = NodeResourcesDetector.detect(properties(0.123456, 0.0, 10L, 5L, null));

        assertThat(total).containsEntry("CPU", 0.1235).doesNotContainKey("GPU");
    }

    @Test
    void customResourcesAreMergedWithTheBuiltIns() {
        Map<String, Double> total = NodeResourcesDetector.detect(properties(2.0, null, 10L, 5L, "{\"custom\": 2, \"fpga\": 0.5}"));

        assertThat(total).containsOnlyKeys("CPU", "memory", "object_store_memory", "custom", "fpga")
                .containsEntry("custom", 2.0).containsEntry("fpga", 0.5).containsEntry("CPU", 2.0);
    }

    @Test
    void badResourcesJsonIsRejectedNamingTheValue() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> NodeResourcesDetector.detect(properties(1.0, null, 10L, 5L, "{custom: 2")))
                .withMessageContaining("'{custom: 2'");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> NodeResourcesDetector.detect(properties(1.0, null, 10L, 5L, "{\"CPU\": 2}")))
                .withMessageContaining("--num-cpus");
    }

    @Test
    void negativeCpusAreRejected() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> NodeResourcesDetector.detect(properties(-1.0, null, 10L, 5L, "")))
                .withMessageContaining("must not be negative")
                .withMessageContaining("-1.0");
    }
}
