package dev.stingray.common.discovery;

import java.util.Map;

/**
 * One daemon as it announces itself in the GCS internal KV (namespace {@code services}, key
 * {@code <service>:<nodeIdHex>}). Every port the daemon bound is listed by name.
 *
 * @param service     Ray's process name: {@code gcs_server}, {@code raylet}, {@code ray_client_server},
 *                    {@code dashboard_agent}, {@code log_monitor}
 * @param nodeId      hex id of the node the daemon runs on
 * @param host        address peers use to reach it
 * @param ports       bound ports by name, e.g. {@code grpc}, {@code http}
 * @param pid         operating-system process id
 * @param version     Stingray version
 * @param startTimeMs when the daemon started, epoch milliseconds
 */
public record ServiceRecord(
        String service, String nodeId, String host, Map<String, Integer> ports, long pid, String version, long startTimeMs) {

    public ServiceRecord {
        ports = Map.copyOf(ports);
    }

    /** The KV key of this record. */
    public String key() {
        return key(service, nodeId);
    }

    public static String key(String service, String nodeIdHex) {
        return service + ":" + nodeIdHex;
    }

    /** {@code host:port} of a named port, or empty when the daemon did not bind it. */
    public java.util.Optional<String> address(String portName) {
        Integer port = ports.get(portName);
        return port == null ? java.util.Optional.empty() : java.util.Optional.of(host + ":" + port);
    }
}
