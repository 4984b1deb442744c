package dev.stingray.common.boot;

import dev.stingray.common.discovery.ServiceRecord;
import dev.stingray.common.discovery.ServiceRegistry;
import dev.stingray.common.gcs.GcsClient;
import dev.stingray.common.gcs.GcsConnectionMonitor;
import dev.stingray.common.rpc.NettyEventLoops;
import java.time.Clock;
import java.time.Duration;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

/**
 * What every Stingray daemon shares: the GCS client and its connection monitor (readiness, restart
 * detection, reconnect timeout), registration in the service registry with port files, and a
 * controlled exit. The GCS itself has no {@code stingray.cluster.gcs-address} and supplies its own
 * {@link ServiceRecordPublisher}.
 */
@AutoConfiguration
@EnableConfigurationProperties({ClusterProperties.class, DaemonProperties.class})
public class DaemonAutoConfiguration {

    @Bean
    DaemonExit daemonExit(ConfigurableApplicationContext context) {
        return new DaemonExit(context);
    }

    @Bean(destroyMethod = "close")
    @ConditionalOnProperty(prefix = "stingray.cluster", name = "gcs-address")
    GcsClient gcsClient(ClusterProperties cluster) {
        return new GcsClient(cluster.gcsAddress(), Duration.ofSeconds(10));
    }

    @Bean(destroyMethod = "close")
    @ConditionalOnBean(GcsClient.class)
    GcsConnectionMonitor gcsConnectionMonitor(GcsClient gcs, ClusterProperties cluster, DaemonExit exit) {
        GcsConnectionMonitor monitor = new GcsConnectionMonitor(
                gcs, cluster.gcsCheckPeriod(), cluster.gcsReconnectTimeout(), Clock.systemUTC());
        monitor.addListener(new GcsConnectionMonitor.Listener() {
            @Override
            public void onReconnectTimeout(Duration unreachableFor) {
                exit.exit(1, "Failed to connect to GCS at " + gcs.address() + " within "
                        + cluster.gcsReconnectTimeout().toSeconds() + " seconds. GCS may have been killed. "
                        + "It's either GCS is terminated by `stingray stop` or is killed unexpectedly. "
                        + "If it is killed unexpectedly, see the GCS log file gcs_server.err in the head's session dir.");
            }
        });
        return monitor.start();
    }

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnBean(GcsClient.class)
    ServiceRecordPublisher serviceRecordPublisher(GcsClient gcs) {
        ServiceRegistry registry = new ServiceRegistry(gcs);
        return new ServiceRecordPublisher() {
            @Override
            public void publish(ServiceRecord record) {
                registry.register(record);
            }

            @Override
            public void withdraw(ServiceRecord record) {
                registry.deregister(record);
            }
        };
    }

    @Bean
    @ConditionalOnBean(ServiceRecordPublisher.class)
    DaemonRegistration daemonRegistration(ClusterProperties cluster, DaemonProperties daemon, ServiceRecordPublisher publisher,
            ObjectProvider<GcsConnectionMonitor> monitor) {
        DaemonRegistration registration = new DaemonRegistration(cluster, daemon, publisher, dev.stingray.common.version.StingrayVersion.current());
        monitor.ifAvailable(m -> m.addListener(registration));
        return registration;
    }

    /**
     * The daemon's gRPC server runs on {@link NettyEventLoops}, which are stopped after the context has closed
     * (Spring Boot runs its shutdown handlers then), so that the JVM's exit does not wait for gRPC's shared loops.
     */
    @Bean
    org.springframework.grpc.server.ServerBuilderCustomizer<io.grpc.netty.NettyServerBuilder> ownEventLoops() {
        org.springframework.boot.SpringApplication.getShutdownHandlers().add(NettyEventLoops::shutdown);
        return new OwnEventLoops();
    }

    /** Puts a daemon's gRPC server on {@link NettyEventLoops}. */
    static final class OwnEventLoops implements org.springframework.grpc.server.ServerBuilderCustomizer<io.grpc.netty.NettyServerBuilder> {
        @Override
        public void customize(io.grpc.netty.NettyServerBuilder builder) {
            builder.bossEventLoopGroup(NettyEventLoops.serverBoss()).workerEventLoopGroup(NettyEventLoops.serverWorkers())
                    .channelType(NettyEventLoops.serverChannelType());
        }
    }

    /** Only in a start-up archive's training run: see {@link StartupTrainingCall}. */
    @Bean
    @ConditionalOnProperty(name = "stingray.startup-training", havingValue = "true")
    StartupTrainingCall startupTrainingCall(DaemonExit exit) {
        return new StartupTrainingCall(exit);
    }

    @Bean
    ReadinessAnnouncer readinessAnnouncer(ClusterProperties cluster, DaemonProperties daemon,
            ObjectProvider<org.springframework.boot.health.actuate.endpoint.HealthEndpoint> health) {
        return new ReadinessAnnouncer(ReadinessAnnouncer.readyFileOf(cluster, daemon), health);
    }

    @Bean("gcsHealthIndicator")
    @ConditionalOnBean({GcsConnectionMonitor.class, DaemonRegistration.class})
    GcsHealthIndicator gcsHealthIndicator(GcsConnectionMonitor monitor, DaemonRegistration registration, ClusterProperties cluster) {
        return new GcsHealthIndicator(monitor, registration, cluster.gcsAddress());
    }
}
