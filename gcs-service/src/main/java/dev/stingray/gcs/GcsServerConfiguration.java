package dev.stingray.gcs;

import dev.stingray.common.boot.ServiceRecordPublisher;
import dev.stingray.common.discovery.ServiceRecord;
import dev.stingray.common.rpc.HostAndPort;
import dev.stingray.gcs.job.JobInfoGrpcService;
import dev.stingray.gcs.kv.InternalKvGrpcService;
import dev.stingray.gcs.node.NodeInfoGrpcService;
import dev.stingray.gcs.pubsub.InternalPubSubGrpcService;
import dev.stingray.gcs.resource.NodeResourceInfoGrpcService;
import dev.stingray.gcs.store.InMemoryStoreClient;
import dev.stingray.gcs.store.RedisStoreClient;
import dev.stingray.gcs.store.StoreClient;
import dev.stingray.gcs.worker.WorkerInfoGrpcService;
import java.time.Clock;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.info.BuildProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.connection.RedisPassword;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * The one wiring class of the GCS daemon: storage selection, the {@link GcsServer}, its gRPC adapters,
 * readiness of the storage, and registration of the GCS in the service registry.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(GcsProperties.class)
class GcsServerConfiguration {

    @Bean(destroyMethod = "close")
    StoreClient storeClient(GcsProperties properties) {
        if (!properties.usesRedis()) {
            return new InMemoryStoreClient();
        }
        String address = properties.redisAddress().replaceFirst("^redis://", "");
        HostAndPort hp = HostAndPort.parse(address);
        RedisStandaloneConfiguration config = new RedisStandaloneConfiguration(hp.host(), hp.port());
        if (!properties.redisUsername().isBlank()) {
            config.setUsername(properties.redisUsername());
        }
        if (!properties.redisPassword().isBlank()) {
            config.setPassword(RedisPassword.of(properties.redisPassword()));
        }
        LettuceConnectionFactory factory = new LettuceConnectionFactory(config);
        factory.afterPropertiesSet();
        factory.start();
        RedisStoreClient redis = new RedisStoreClient(factory, properties.externalStorageNamespace(), address);
        if (!redis.isHealthy()) {
            redis.close();
            throw new IllegalStateException("Cannot reach Redis at " + address + " (--redis-address / RAY_REDIS_ADDRESS)."
                    + " Check that Redis runs there and that the password is right.");
        }
        return redis;
    }

    @Bean(destroyMethod = "close")
    GcsServer gcsServer(GcsProperties properties, StoreClient store) {
        return new GcsServer(properties, store, Clock.systemUTC());
    }

    @Bean
    NodeInfoGrpcService nodeInfoGrpcService(GcsServer gcs, ObjectProvider<BuildProperties> build) {
        BuildProperties info = build.getIfAvailable();
        return new NodeInfoGrpcService(gcs.nodes(), gcs.clusterId(), gcs.sessionName(), gcs.publisher().publisherId(),
                info == null ? "dev" : info.getVersion());
    }

    @Bean
    InternalKvGrpcService internalKvGrpcService(GcsServer gcs) {
        return new InternalKvGrpcService(gcs.kv());
    }

    @Bean
    InternalPubSubGrpcService internalPubSubGrpcService(GcsServer gcs) {
        return new InternalPubSubGrpcService(gcs.publisher());
    }

    @Bean
    JobInfoGrpcService jobInfoGrpcService(GcsServer gcs) {
        return new JobInfoGrpcService(gcs.jobs());
    }

    @Bean
    NodeResourceInfoGrpcService nodeResourceInfoGrpcService(GcsServer gcs) {
        return new NodeResourceInfoGrpcService(gcs.resources());
    }

    @Bean
    WorkerInfoGrpcService workerInfoGrpcService(GcsServer gcs) {
        return new WorkerInfoGrpcService(gcs.workers());
    }

    @Bean
    dev.stingray.gcs.actor.ActorInfoGrpcService actorInfoGrpcService(GcsServer gcs) {
        return new dev.stingray.gcs.actor.ActorInfoGrpcService(gcs.actors());
    }

    @Bean
    dev.stingray.gcs.placement.PlacementGroupInfoGrpcService placementGroupInfoGrpcService(GcsServer gcs) {
        return new dev.stingray.gcs.placement.PlacementGroupInfoGrpcService(gcs.placementGroups());
    }

    @Bean
    dev.stingray.gcs.runtimeenv.RuntimeEnvGrpcService runtimeEnvGrpcService(GcsServer gcs) {
        return new dev.stingray.gcs.runtimeenv.RuntimeEnvGrpcService(gcs.runtimeEnvs());
    }

    /** Readiness contributor {@code storage}: Redis answers PING (always UP in memory). */
    @Bean
    HealthIndicator storageHealthIndicator(StoreClient store, GcsProperties properties) {
        return () -> store.isHealthy()
                ? Health.up().withDetail("storage", properties.usesRedis() ? "redis" : "memory").build()
                : Health.down().withDetail("storage", "redis").withDetail("redisAddress", properties.redisAddress()).build();
    }

    @Bean
    ServiceRecordPublisher serviceRecordPublisher(GcsServer gcs) {
        return new ServiceRecordPublisher() {
            @Override
            public void publish(ServiceRecord record) {
                gcs.publishServiceRecord(record);
            }

            @Override
            public void withdraw(ServiceRecord record) {
                gcs.withdrawServiceRecord(record);
            }
        };
    }
}
