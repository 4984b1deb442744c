package dev.stingray.common.boot;

import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * What every daemon of a node knows about its place in the cluster ({@code stingray.cluster.*}).
 * The launcher ({@code stingray start}) sets them; only the GCS address is ever needed to find peers.
 *
 * @param gcsAddress          {@code host:port} of the GCS; empty for the GCS itself
 * @param sessionDir          the node's session directory (port files, logs); empty = none
 * @param nodeId              hex id of the node this daemon belongs to
 * @param nodeIpAddress       the address peers use to reach this node's daemons
 * @param gcsCheckPeriod      how often the GCS is pinged for readiness and restart detection
 * @param gcsReconnectTimeout Ray's {@code gcs_rpc_server_reconnect_timeout_s}: exit after this long without the GCS
 */
@ConfigurationProperties("stingray.cluster")
public record ClusterProperties(
        @DefaultValue("") String gcsAddress,
        Path sessionDir,
        @DefaultValue("") String nodeId,
        @DefaultValue("127.0.0.1") String nodeIpAddress,
        @DefaultValue("1s") Duration gcsCheckPeriod,
        @DefaultValue("60s") Duration gcsReconnectTimeout) {

    public boolean hasGcsAddress() {
        return gcsAddress != null && !gcsAddress.isBlank();
    }
}
