package dev.stingray.common.boot;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How a daemon names itself ({@code stingray.daemon.*}); each daemon's {@code application.properties}
 * sets these once.
 *
 * @param service          Ray's process name, e.g. {@code raylet}
 * @param grpcPortFileName port-file name of the gRPC port (Ray's, e.g. {@code node_manager_port}); empty = none
 * @param httpPortFileName port-file name of the HTTP port
 */
@ConfigurationProperties("stingray.daemon")
public record DaemonProperties(
        String service,
        @DefaultValue("") String grpcPortFileName,
        @DefaultValue("") String httpPortFileName) {
}
