package dev.stingray.raylet;

import dev.stingray.common.boot.ClusterProperties;
import dev.stingray.common.boot.DaemonExit;
import dev.stingray.common.boot.DaemonRegistration;
import dev.stingray.common.gcs.GcsClient;
import dev.stingray.common.gcs.GcsConnectionMonitor;
import io.grpc.protobuf.services.HealthStatusManager;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The one wiring class of the raylet daemon. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(RayletProperties.class)
class RayletConfiguration {

    @Bean
    LocalResources localResources(RayletProperties properties) {
        return new LocalResources(NodeResourcesDetector.detect(properties));
    }

    @Bean(destroyMethod = "stop")
    RayletNode rayletNode(RayletProperties properties, ClusterProperties cluster, GcsClient gcs, GcsConnectionMonitor monitor,
            DaemonRegistration daemon, HealthStatusManager health, LocalResources resources, DaemonExit exit) {
        return new RayletNode(properties, cluster, gcs, monitor, daemon, health, resources, exit);
    }

    /** Registration starts once both servers have bound their ports. */
    @Bean
    ApplicationListener<ApplicationReadyEvent> rayletStarter(RayletNode node) {
        return event -> node.start();
    }

    @Bean
    NodeManagerGrpcService nodeManagerGrpcService(RayletNode node, LocalResources resources, DaemonExit exit) {
        return new NodeManagerGrpcService(node, resources, exit);
    }

    /** Readiness contributor {@code nodeRegistration}: UP once the GCS accepted this node. */
    @Bean
    HealthIndicator nodeRegistrationHealthIndicator(RayletNode node) {
        return () -> node.isRegistered()
                ? Health.up().withDetail("nodeId", node.nodeId().hex()).build()
                : Health.down().withDetail("nodeId", node.nodeId().hex()).withDetail("reason", "not registered with the GCS").build();
    }
}
