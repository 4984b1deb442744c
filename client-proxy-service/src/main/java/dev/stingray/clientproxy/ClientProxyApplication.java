package dev.stingray.clientproxy;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * Stingray's Ray Client server ({@code ray://host:10001}; Ray: {@code python/ray/util/client/server/server.py}).
 * Serves {@code RayletDriver} (KV, ClusterInfo, named actors) and {@code RayletLogStreamer} on top of
 * the GCS. Wiring lives in {@link ClientProxyConfiguration}.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class ClientProxyApplication {

    public static void main(String[] args) {
        SpringApplication.run(ClientProxyApplication.class, args);
    }
}
