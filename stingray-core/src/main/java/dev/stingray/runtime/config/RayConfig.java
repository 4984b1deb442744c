package dev.stingray.runtime.config;

import java.io.File;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The runtime's settings, read from Ray Java's keys (system properties first, then environment):
 * {@code ray.address} / {@code RAY_ADDRESS} (empty = start a local cluster, {@code host:port} = join,
 * {@code ray://host:port} = client mode), {@code ray.job.namespace}, {@code ray.job.code-search-path}
 * (default: the driver's class path), {@code ray.job.jvm-options}, {@code ray.head-args.0..N}.
 * Workers are started by the raylet with {@code ray.worker.*} keys.
 *
 * @param address        the cluster address as given
 * @param namespace      the job's namespace (Ray: a random one when unset)
 * @param codeSearchPath where workers load the job's classes from
 * @param codeSearchPathGiven whether {@code ray.job.code-search-path} was set (it is then used as given; the default,
 *                       the driver's class path, is shipped to the cluster when the workers cannot see it)
 * @param jvmOptions     extra JVM options for the job's workers
 * @param headArgs       extra {@code stingray start --head} flags for the local cluster
 * @param worker         set when this JVM is a worker started by a raylet
 */
public record RayConfig(String address, String namespace, List<String> codeSearchPath, boolean codeSearchPathGiven,
        List<String> jvmOptions, List<String> headArgs, WorkerSettings worker) {

    /** How a raylet tells a worker JVM who it is. */
    public record WorkerSettings(String workerIdHex, String jobIdHex, String nodeIdHex, String rayletAddress, String gcsAddress,
            String sessionDir, String nodeIp) {
    }

    public static RayConfig fromSystem() {
        return from(System.getProperties(), System.getenv());
    }

    public static RayConfig from(Properties props, Map<String, String> env) {
        String address = props.getProperty("ray.address", env.getOrDefault("RAY_ADDRESS", "")).trim();
        String namespace = props.getProperty("ray.job.namespace", "");
        String searchPath = props.getProperty("ray.job.code-search-path", "");
        List<String> codeSearchPath = searchPath.isBlank()
                ? Arrays.asList(props.getProperty("java.class.path", "").split(File.pathSeparator))
                : splitSearchPath(searchPath);
        List<String> jvmOptions = new ArrayList<>();
        String jvm = props.getProperty("ray.job.jvm-options", "");
        if (!jvm.isBlank()) {
            jvmOptions.addAll(Arrays.asList(jvm.trim().split("\\s+")));
        }
        List<String> headArgs = new ArrayList<>();
        for (int i = 0; props.getProperty("ray.head-args." + i) != null; i++) {
            headArgs.add(props.getProperty("ray.head-args." + i));
        }
        WorkerSettings worker = null;
        if (props.getProperty("ray.worker.id") != null) {
            worker = new WorkerSettings(props.getProperty("ray.worker.id"), props.getProperty("ray.worker.job-id"),
                    props.getProperty("ray.worker.node-id"), props.getProperty("ray.worker.raylet-address"),
                    props.getProperty("ray.worker.gcs-address"), props.getProperty("ray.worker.session-dir"),
                    props.getProperty("ray.worker.node-ip", "127.0.0.1"));
        }
        return new RayConfig(address, namespace, List.copyOf(codeSearchPath.stream().filter(s -> !s.isBlank()).toList()),
                !searchPath.isBlank(), List.copyOf(jvmOptions), List.copyOf(headArgs), worker);
    }

    /** Splits a search path at {@code :} and {@code ;}, keeping package URIs ({@code gcs://...}) whole. */
    public static List<String> splitSearchPath(String searchPath) {
        return Arrays.asList(searchPath.split("[:;](?!//)"));
    }

    public boolean isWorker() {
        return worker != null;
    }

    public boolean isClientMode() {
        return address.startsWith("ray://");
    }

    public boolean startsLocalCluster() {
        return worker == null && address.isEmpty();
    }
}
