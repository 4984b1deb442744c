package dev.stingray.common.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stingray.common.id.NodeId;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The JSON form of a {@link ServiceRecord} in the GCS KV. */
class ServiceRegistryTest {

    private final String node = NodeId.random().hex();
    private final ServiceRecord record = new ServiceRecord(ServiceNames.RAYLET, node, "10.0.0.7",
            Map.of(ServiceNames.GRPC_PORT, 45001, ServiceNames.HTTP_PORT, 45002), 4242L, "0.1.0", 1_700_000_000_123L);

    @Test
    void recordRoundTripsThroughJson() {
        String json = ServiceRegistry.toJson(record);

        assertThat(json).contains("\"service\":\"raylet\"").contains("\"nodeId\":\"" + node + "\"").contains("\"pid\":4242");
        ServiceRecord back = ServiceRegistry.fromJson(json);
        assertThat(back).isEqualTo(record);
        assertThat(back.ports()).containsOnly(Map.entry("grpc", 45001), Map.entry("http", 45002));
    }

    @Test
    void recordKnowsItsKeyAndAddresses() {
        assertThat(record.key()).isEqualTo("raylet:" + node);
        assertThat(record.address(ServiceNames.GRPC_PORT)).contains("10.0.0.7:45001");
        assertThat(record.address("metrics")).isEmpty();
    }
}
