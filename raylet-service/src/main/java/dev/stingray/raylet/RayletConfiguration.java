package dev.stingray.raylet;

import dev.stingray.common.boot.ClusterProperties;
import dev.stingray.common.boot.DaemonExit;
import dev.stingray.common.boot.DaemonRegistration;
import dev.stingray.common.gcs.GcsClient;
import dev.stingray.common.discovery.ServiceNames;
import dev.stingray.common.gcs.GcsConnectionMonitor;
import dev.stingray.raylet.scheduling.ClusterResourceView;
import dev.stingray.raylet.scheduling.LeaseManager;
import dev.stingray.raylet.worker.WorkerPool;
import java.nio.file.Path;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.springframework.beans.factory.ObjectProvider;
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

    @Bean(destroyMethod = "shutdownNow")
    ScheduledExecutorService rayletScheduler() {
        return Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "raylet-scheduler");
            t.setDaemon(true);
            return t;
        });
    }

    @Bean(destroyMethod = "stop")
    WorkerPool workerPool(RayletProperties properties, ClusterProperties cluster, DaemonRegistration daemon,
            ScheduledExecutorService rayletScheduler, ObjectProvider<LeaseManager> leases) {
        return new WorkerPool(() -> new WorkerPool.NodeContext(cluster.nodeId(), cluster.nodeIpAddress(),
                cluster.nodeIpAddress() + ":" + daemon.port(ServiceNames.GRPC_PORT), cluster.gcsAddress(),
                cluster.sessionDir() == null ? Path.of(properties.tempDir()) : cluster.sessionDir(), Path.of(properties.workerLibDir()),
                properties.workerJvmOptions()),
                rayletScheduler, properties.workerRegisterTimeout(), properties.idleWorkerTimeout(), w -> leases.getObject().onWorkerDeath(w));
    }

    @Bean
    ClusterResourceView clusterResourceView(GcsClient gcs) {
        return new ClusterResourceView(gcs);
    }

    @Bean
    LeaseManager leaseManager(RayletNode node, LocalResources resources, WorkerPool pool, ClusterResourceView cluster,
            ScheduledExecutorService rayletScheduler) {
        LeaseManager leases = new LeaseManager(node.nodeId().bytes(), resources, pool, cluster);
        // Ray re-evaluates queued leases when views change; the view is refreshed from the GCS twice a second.
        rayletScheduler.scheduleWithFixedDelay(() -> {
            try {
                cluster.refresh();
                leases.dispatch();
            } catch (RuntimeException e) {
                // GCS unreachable for a moment: keep the last view.
            }
        }, 500, 500, TimeUnit.MILLISECONDS);
        return leases;
    }

    @Bean
    NodeManagerGrpcService nodeManagerGrpcService(RayletNode node, LocalResources resources, DaemonExit exit, LeaseManager leases,
            WorkerPool workers) {
        return new NodeManagerGrpcService(node, resources, exit, leases, workers);
    }

    /** Readiness contributor {@code nodeRegistration}: UP once the GCS accepted this node. */
    @Bean
    HealthIndicator nodeRegistrationHealthIndicator(RayletNode node) {
        return () -> node.isRegistered()
                ? Health.up().withDetail("nodeId", node.nodeId().hex()).build()
                : Health.down().withDetail("nodeId", node.nodeId().hex()).withDetail("reason", "not registered with the GCS").build();
    }
}
