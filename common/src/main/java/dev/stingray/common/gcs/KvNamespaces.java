package dev.stingray.common.gcs;

/**
 * Well-known internal-KV namespaces and keys. Ray's own where Ray has one
 * ({@code python/ray/_private/ray_constants.py}, {@code gcs_server.cc}), Stingray's {@code services}
 * namespace for daemon discovery otherwise.
 */
public final class KvNamespaces {

    /** Ray: {@code ray_cluster_id} lives in namespace {@code cluster}. */
    public static final String CLUSTER = "cluster";
    public static final String CLUSTER_ID_KEY = "ray_cluster_id";

    /** Ray: {@code session_name} lives in namespace {@code session}. */
    public static final String SESSION = "session";
    public static final String SESSION_NAME_KEY = "session_name";
    /** Stingray: the head's temp dir, so joining nodes can log where the head keeps its session. */
    public static final String TEMP_DIR_KEY = "temp_dir";

    /** Ray: dashboard and dashboard agents register in namespace {@code dashboard}. */
    public static final String DASHBOARD = "dashboard";
    public static final String DASHBOARD_ADDRESS_KEY = "dashboard";
    public static final String DASHBOARD_AGENT_ADDR_NODE_ID_PREFIX = "DASHBOARD_AGENT_ADDR_NODE_ID_PREFIX:";
    public static final String DASHBOARD_AGENT_ADDR_IP_PREFIX = "DASHBOARD_AGENT_ADDR_IP_PREFIX:";

    /** Ray: the GCS process id, empty namespace. */
    public static final String GCS_PID_KEY = "gcs_pid";

    /** Stingray: one entry per daemon, key {@code <service>:<nodeIdHex>}, JSON {@code ServiceRecord}. */
    public static final String SERVICES = "services";

    private KvNamespaces() {
    }
}
