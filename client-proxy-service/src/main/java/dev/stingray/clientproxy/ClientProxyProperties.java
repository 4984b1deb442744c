package dev.stingray.clientproxy;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the Ray Client server ({@code stingray.client-proxy.*}).
 *
 * @param port                  the gRPC port clients dial with {@code ray://host:port}; Ray's default 10001, 0 = any free port
 * @param reconnectGracePeriod  how long a disconnected client's session is kept for a reconnect (Ray's
 *                              {@code RAY_CLIENT_RECONNECT_GRACE_PERIOD}, default 30 s; 0 disables reconnection)
 * @param namespace             the namespace reported in the runtime context until a client's job sets its own
 * @param logStreamBuffer       log lines buffered per streaming client while it is not ready to receive;
 *                              beyond this the oldest lines are dropped (the log channel is lossy, as in Ray)
 */
@ConfigurationProperties("stingray.client-proxy")
public record ClientProxyProperties(
        @DefaultValue("10001") int port,
        @DefaultValue("30s") Duration reconnectGracePeriod,
        @DefaultValue("") String namespace,
        @DefaultValue("10000") int logStreamBuffer) {

    public ClientProxyProperties {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("stingray.client-proxy.port must be 0..65535, got " + port);
        }
        if (reconnectGracePeriod.isNegative()) {
            throw new IllegalArgumentException(
                    "stingray.client-proxy.reconnect-grace-period must not be negative, got " + reconnectGracePeriod);
        }
        if (logStreamBuffer < 1) {
            throw new IllegalArgumentException("stingray.client-proxy.log-stream-buffer must be at least 1, got " + logStreamBuffer);
        }
    }
}
