package dev.stingray.clientproxy;

import com.google.protobuf.ByteString;
import dev.stingray.common.boot.ClusterProperties;
import dev.stingray.common.gcs.GcsClient;
import dev.stingray.common.gcs.GcsSubscriber;
import dev.stingray.proto.ChannelType;
import dev.stingray.proto.PubMessage;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.grpc.server.GlobalServerInterceptor;

/**
 * The one place the Ray Client server is wired (Ray: {@code python/ray/util/client/server/server.py::serve}):
 * the client-id interceptor, the driver service and the log streamer, all on the GCS client that
 * {@code DaemonAutoConfiguration} provides. Only this class reads {@link ClientProxyProperties}.
 */
@Configuration(proxyBeanMethods = false)
class ClientProxyConfiguration {

    private static final Logger log = LoggerFactory.getLogger(ClientProxyConfiguration.class);

    @Bean
    @GlobalServerInterceptor
    ClientIdInterceptor clientIdInterceptor() {
        return new ClientIdInterceptor();
    }

    @Bean
    ClusterInfoProvider clusterInfoProvider(ObjectProvider<GcsClient> gcs, ClientProxyProperties properties) {
        log.info("Ray Client server: reconnect grace period {} s, namespace '{}'",
                properties.reconnectGracePeriod().toSeconds(), properties.namespace());
        return new ClusterInfoProvider(requireGcs(gcs));
    }

    @Bean
    ClientSessions clientSessions(ObjectProvider<GcsClient> gcs, ClusterProperties cluster, ClientProxyProperties properties) {
        return new ClientSessions(requireGcs(gcs), cluster.nodeIpAddress(), properties.reconnectGracePeriod());
    }

    @Bean
    RayletDriverGrpcService rayletDriverGrpcService(ObjectProvider<GcsClient> gcs, ClusterInfoProvider clusterInfo,
            ClientProxyProperties properties, ClientSessions sessions) {
        return new RayletDriverGrpcService(requireGcs(gcs), clusterInfo, properties.namespace(), sessions);
    }

    @Bean
    LogStreamGrpcService logStreamGrpcService(ObjectProvider<GcsClient> gcs, ClientProxyProperties properties, ClientSessions sessions) {
        GcsClient client = requireGcs(gcs);
        // One GCS subscription per streaming client, to every key (job) of the log channel.
        LogChannel logChannel = handler -> {
            GcsSubscriber subscriber = new GcsSubscriber(client, List.of(ChannelType.RAY_LOG_CHANNEL), ByteString.EMPTY,
                    (PubMessage message) -> {
                        if (message.hasLogBatchMessage()) {
                            handler.accept(message.getLogBatchMessage());
                        }
                    }).start();
            return subscriber::close;
        };
        // A client with a session sees its own job's worker output, as a driver does (Ray: log_to_driver).
        return new LogStreamGrpcService(logChannel, properties.logStreamBuffer(),
                clientId -> sessions.find(clientId).map(s -> s.worker().jobId().hex()));
    }

    private static GcsClient requireGcs(ObjectProvider<GcsClient> gcs) {
        GcsClient client = gcs.getIfAvailable();
        if (client == null) {
            throw new IllegalStateException("The Ray Client server needs the GCS address: set stingray.cluster.gcs-address "
                    + "to the head's host:port (e.g. --stingray.cluster.gcs-address=127.0.0.1:6379)");
        }
        return client;
    }
}
