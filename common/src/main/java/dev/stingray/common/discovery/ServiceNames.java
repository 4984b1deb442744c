package dev.stingray.common.discovery;

/** Ray's process names, used as service names in the registry, log file names and pid files. */
public final class ServiceNames {

    public static final String GCS_SERVER = "gcs_server";
    public static final String RAYLET = "raylet";
    public static final String RAY_CLIENT_SERVER = "ray_client_server";
    public static final String DASHBOARD_AGENT = "dashboard_agent";
    public static final String LOG_MONITOR = "log_monitor";

    /** Port names used in {@link ServiceRecord#ports()}. */
    public static final String GRPC_PORT = "grpc";
    public static final String HTTP_PORT = "http";

    private ServiceNames() {
    }
}
