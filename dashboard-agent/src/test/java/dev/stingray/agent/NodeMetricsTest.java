package dev.stingray.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class NodeMetricsTest {

    @Test
    void firstSampleIsTakenAtStartAndGaugesReadTheCachedSample() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (NodeMetrics metrics = new NodeMetrics("10.0.0.7", "ab".repeat(28), Path.of("/"), Duration.ofMinutes(1)).start()) {
            metrics.bindTo(registry);

            NodeMetrics.Sample sample = metrics.last();
            assertThat(sample.cpuCount()).isPositive();
            assertThat(sample.memTotal()).isPositive();
            assertThat(sample.memAvailable()).isBetween(0L, sample.memTotal());
            assertThat(sample.diskUsed() + sample.diskFree()).isPositive();
            Gauge memTotal = registry.get("ray_node_mem_total").tag("ip", "10.0.0.7").tag("NodeId", "ab".repeat(28)).gauge();
            assertThat(memTotal.value()).isEqualTo((double) sample.memTotal());
            assertThat(registry.get("ray_node_mem_used").gauge().value()).isEqualTo((double) sample.memUsed());
            assertThat(registry.getMeters()).hasSize(9);
        }
    }
}
