package dev.stingray.raylet;

import dev.stingray.common.boot.ClusterProperties;
import dev.stingray.common.boot.DaemonExit;
import dev.stingray.common.boot.DaemonRegistration;
import dev.stingray.common.gcs.GcsClient;
import dev.stingray.common.discovery.ServiceNames;
import dev.stingray.common.gcs.GcsConnectionMonitor;
import dev.stingray.raylet.objectstore.ObjectManager;
import dev.stingray.raylet.objectstore.ObjectManagerGrpcService;
import dev.stingray.raylet.objectstore.ObjectStore;
import dev.stingray.raylet.scheduling.ClusterResourceView;
import dev.stingray.raylet.scheduling.LeaseManager;
import dev.stingray.raylet.worker.JobWatcher;
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

    /**
     * Registration starts once both servers have bound their ports; once registered, the worker start-up archive
     * is recorded if this lib dir has none for this JVM yet. The warm workers (one per CPU by default) start at once.
     */
    @Bean
    ApplicationListener<ApplicationReadyEvent> rayletStarter(RayletNode node, WorkerPool pool, RayletProperties properties,
            LocalResources resources) {
        int warm = properties.warmWorkers() >= 0 ? properties.warmWorkers() : (int) Math.floor(resources.total().getOrDefault("CPU", 0.0));
        return event -> {
            node.afterFirstRegistration(pool::recordStartupArchive);
            node.start();
            // Warm workers need only this raylet's server: they start while it registers.
            pool.keepWarm(warm);
        };
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
            ScheduledExecutorService rayletScheduler, ObjectProvider<LeaseManager> leases, GcsClient gcs) {
        return new WorkerPool(() -> new WorkerPool.NodeContext(cluster.nodeId(), cluster.nodeIpAddress(),
                cluster.nodeIpAddress() + ":" + daemon.port(ServiceNames.GRPC_PORT), cluster.gcsAddress(),
                cluster.sessionDir() == null ? Path.of(properties.tempDir()) : cluster.sessionDir(), Path.of(properties.workerLibDir()),
                properties.workerJvmOptions()),
                rayletScheduler, properties.workerRegisterTimeout(), properties.idleWorkerTimeout(),
                // Ray: worker_maximum_startup_concurrency = max(1, min(cores, num_cpus)).
                (int) Math.min(Runtime.getRuntime().availableProcessors(),
                        properties.numCpus() == null ? Runtime.getRuntime().availableProcessors() : properties.numCpus()),
                new dev.stingray.raylet.worker.RuntimeEnvPackages(gcs,
                        () -> cluster.sessionDir() == null ? Path.of(properties.tempDir()) : cluster.sessionDir()),
                w -> {
                    leases.getObject().onWorkerDeath(w);
                    rayletScheduler.execute(() -> reportWorkerFailure(gcs, cluster, w));
                });
    }

    /** Ray: the raylet reports a dead worker to the GCS, whose actor manager restarts or buries its actor. */
    private static void reportWorkerFailure(GcsClient gcs, ClusterProperties cluster, dev.stingray.raylet.worker.WorkerProcess worker) {
        try {
            gcs.workers().reportWorkerFailure(dev.stingray.proto.ReportWorkerFailureRequest.newBuilder()
                    .setWorkerFailure(dev.stingray.proto.WorkerTableData.newBuilder()
                            .setWorkerAddress(dev.stingray.proto.Address.newBuilder().setWorkerId(worker.workerId())
                                    .setNodeId(dev.stingray.common.id.NodeId.fromHex(cluster.nodeId()).bytes())
                                    .setIpAddress(cluster.nodeIpAddress()))
                            .setJobId(worker.jobId())
                            .setPid((int) worker.process().pid())
                            .setExitType(dev.stingray.proto.WorkerTableData.ExitType.SYSTEM_ERROR)
                            .setExitDetail("Worker " + worker.workerIdHex() + " (pid " + worker.process().pid() + ") exited with code "
                                    + worker.process().exitValue() + "."))
                    .build());
        } catch (RuntimeException e) {
            org.slf4j.LoggerFactory.getLogger(RayletConfiguration.class).warn("Could not report the death of worker {} to the GCS: {}",
                    worker.workerIdHex(), e.getMessage());
        }
    }

    /** Prestarts workers for new jobs (up to the CPU count, Ray's num_prestart workers) and kills those of finished jobs. */
    @Bean(destroyMethod = "close")
    JobWatcher jobWatcher(GcsClient gcs, WorkerPool pool, LocalResources resources, RayletProperties properties) {
        int prestart = properties.prestartWorkers() >= 0 ? properties.prestartWorkers()
                : (int) Math.floor(resources.total().getOrDefault("CPU", 0.0));
        return new JobWatcher(gcs, pool, prestart).start();
    }

    @Bean
    ClusterResourceView clusterResourceView(GcsClient gcs) {
        return new ClusterResourceView(gcs);
    }

    @Bean
    LeaseManager leaseManager(RayletNode node, LocalResources resources, WorkerPool pool, ClusterResourceView cluster,
            ScheduledExecutorService rayletScheduler) {
        LeaseManager leases = new LeaseManager(node.nodeId().bytes(), resources, pool, cluster);
        pool.setOnRegistered(leases::dispatch);
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
        return new NodeManagerGrpcService(node, resources, exit, leases, workers,
                new dev.stingray.raylet.scheduling.BundleReservations(resources, leases::dispatch));
    }

    /** The node's object store for large objects, sized by the {@code object_store_memory} resource. */
    @Bean(destroyMethod = "close")
    ObjectStore objectStore(RayletProperties properties, ClusterProperties cluster, LocalResources resources, RayletNode node) {
        long capacity = resources.total().getOrDefault(dev.stingray.common.resources.NodeResources.OBJECT_STORE_MEMORY, 0.0).longValue();
        return ObjectStore.open(properties.objectStoreDir(), cluster.sessionDir() == null ? Path.of(properties.tempDir()) : cluster.sessionDir(),
                node.nodeId().hex(), capacity, properties.objectStorePrefault(), properties.objectSpillingThreshold());
    }

    @Bean(destroyMethod = "close")
    ObjectManager objectManager(ObjectStore store, ClusterProperties cluster, DaemonRegistration daemon) {
        return new ObjectManager(store, () -> cluster.nodeIpAddress() + ":" + daemon.port(ServiceNames.GRPC_PORT));
    }

    @Bean
    ObjectManagerGrpcService objectManagerGrpcService(ObjectManager manager) {
        return new ObjectManagerGrpcService(manager);
    }

    /** Readiness contributor {@code nodeRegistration}: UP once the GCS accepted this node. */
    @Bean
    HealthIndicator nodeRegistrationHealthIndicator(RayletNode node) {
        return () -> node.isRegistered()
                ? Health.up().withDetail("nodeId", node.nodeId().hex()).build()
                : Health.down().withDetail("nodeId", node.nodeId().hex()).withDetail("reason", "not registered with the GCS").build();
    }
}
