package dev.stingray.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Meter;
import org.junit.jupiter.api.Test;

class RayPrometheusNamingConventionTest {

    private final RayPrometheusNamingConvention convention = new RayPrometheusNamingConvention();

    @Test
    void keepsRayNamesVerbatimIncludingATotalSuffix() {
        assertThat(convention.name("ray_node_mem_total", Meter.Type.GAUGE, null)).isEqualTo("ray_node_mem_total");
        assertThat(convention.name("ray_node_cpu_count", Meter.Type.GAUGE, null)).isEqualTo("ray_node_cpu_count");
    }

    @Test
    void leavesOtherMetersToMicrometersPrometheusNaming() {
        assertThat(convention.name("jvm.memory.used", Meter.Type.GAUGE, "bytes")).isEqualTo("jvm_memory_used_bytes");
        assertThat(convention.name("tomcat.sessions.total", Meter.Type.GAUGE, null)).isEqualTo("tomcat_sessions");
        assertThat(convention.tagKey("NodeId")).isEqualTo("NodeId");
    }
}
