package dev.stingray.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stingray.common.gcs.GcsClient;
import dev.stingray.common.id.NodeId;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class AgentAddressRegistrationTest {

    @Test
    void formatsAddressesAsRaysJsonDumpsWithMinusOneForTheMissingGrpcServer() {
        NodeId node = NodeId.random();
        try (GcsClient gcs = new GcsClient("127.0.0.1:1");
                AgentAddressRegistration registration = new AgentAddressRegistration(gcs, node, "10.0.0.7", Duration.ofMinutes(1))) {
            assertThat(registration.address("10.0.0.7", 52365)).isEqualTo("[\"10.0.0.7\", 52365, -1]");
            assertThat(registration.address("we\"ird", 1)).isEqualTo("[\"we\\\"ird\", 1, -1]");
            assertThat(registration.nodeIdKey()).isEqualTo("DASHBOARD_AGENT_ADDR_NODE_ID_PREFIX:" + node.hex());
            assertThat(registration.ipKey()).isEqualTo("DASHBOARD_AGENT_ADDR_IP_PREFIX:10.0.0.7");
            assertThat(registration.isRegistered()).isFalse();
        }
    }
}
