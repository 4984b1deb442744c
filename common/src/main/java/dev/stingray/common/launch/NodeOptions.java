package dev.stingray.common.launch;

import dev.stingray.common.resources.NodeResources;
import dev.stingray.common.rpc.HostAndPort;
import dev.stingray.common.session.SessionDir;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * The flags of {@code stingray start} that shape a node's daemons (Ray: {@code ray start}, scripts.py), with
 * Ray's names and defaults. {@code stingray start} mixes them in; the embedded default of {@code Ray.init()}
 * parses its {@code ray.head-args.N} with {@link #parse(List)}, so both start the same daemons the same way
 * ({@link NodeStarter}).
 */
public final class NodeOptions {

    @Option(names = "--head", description = "Start the head node (GCS, client server) of a new cluster.")
    boolean head;

    @Option(names = "--address", description = "GCS address HOST:PORT of the cluster to join (worker nodes).")
    String address;

    @Option(names = "--port", defaultValue = "6379", description = "GCS port of the head (Ray: 6379; 0 = a free port picked at start).")
    int port;

    @Option(names = "--redis-address", description = "Redis HOST:PORT for GCS fault tolerance (also RAY_REDIS_ADDRESS).")
    String redisAddress;

    @Option(names = "--redis-password", description = "Password of that Redis.")
    String redisPassword;

    @Option(names = "--num-cpus", description = "CPUs of this node (default: detected cores).")
    Double numCpus;

    @Option(names = "--num-gpus", description = "GPUs of this node (default: 0).")
    Double numGpus;

    @Option(names = "--memory", description = "Bytes of the memory resource (default: available memory minus object store).")
    Long memory;

    @Option(names = "--object-store-memory", description = "Bytes of the object store (default: 30% of available memory).")
    Long objectStoreMemory;

    @Option(names = "--resources", description = "Custom resources as JSON, e.g. '{\"accelerator\": 2}'.")
    String resources;

    @Option(names = "--labels", description = "Node labels k1=v1,k2=v2.")
    String labels;

    @Option(names = "--temp-dir", defaultValue = SessionDir.DEFAULT_TEMP_DIR, description = "Root of session dirs (default /tmp/stingray).")
    Path tempDir;

    @Option(names = "--node-ip-address", defaultValue = "127.0.0.1",
            description = "Address other nodes use to reach this node; 'auto' = the address this host's name resolves to (containers).")
    String nodeIpAddress;

    @Option(names = "--node-manager-port", defaultValue = "0", description = "Raylet gRPC port (0 = any free port).")
    int nodeManagerPort;

    @Option(names = "--include-dashboard", arity = "0..1", fallbackValue = "true",
            description = "Start the dashboard (it comes in a later release; the dashboard agent always runs).")
    Boolean includeDashboard;

    @Option(names = "--dashboard-agent-listen-port", defaultValue = "52365", description = "Dashboard agent HTTP port (Ray: 52365).")
    int dashboardAgentListenPort;

    @Option(names = "--ray-client-server-port", defaultValue = "10001", description = "Ray Client server port (Ray: 10001).")
    int rayClientServerPort;

    @Option(names = "--include-ray-client-server", arity = "0..1", fallbackValue = "true",
            description = "Run the Ray Client server on this node (default: on the head, not on worker nodes).")
    Boolean includeRayClientServer;

    /**
     * Parses {@code stingray start} flags (the embedded default's {@code ray.head-args.N}); a later flag overrides
     * an earlier one; a bad flag names itself.
     */
    public static NodeOptions parse(List<String> args) {
        NodeOptions options = new NodeOptions();
        try {
            new CommandLine(options).setOverwrittenOptionsAllowed(true).parseArgs(args.toArray(String[]::new));
        } catch (CommandLine.ParameterException e) {
            throw new IllegalArgumentException("Bad stingray start flag in " + args + ": " + e.getMessage()
                    + " (see `stingray start --help`)", e);
        }
        return options;
    }

    /** Checks the flags together; the message names the bad value and the fix. */
    public void validate() {
        if (head == (address != null)) {
            throw new IllegalArgumentException(head
                    ? "--head and --address exclude each other: the head starts a new cluster, --address joins one"
                    : "Pass --head to start a new cluster, or --address=HOST:PORT to join one");
        }
        NodeResources.parseCustomResources(resources);
        NodeResources.parseLabels(labels);
        for (var p : Map.of("--port", port, "--dashboard-agent-listen-port", dashboardAgentListenPort,
                "--ray-client-server-port", rayClientServerPort, "--node-manager-port", nodeManagerPort).entrySet()) {
            if (p.getValue() < 0 || p.getValue() > 65535) {
                throw new IllegalArgumentException(p.getKey() + " " + p.getValue() + " is outside 0-65535");
            }
        }
        if (numCpus != null && numCpus < 0 || numGpus != null && numGpus < 0) {
            throw new IllegalArgumentException("--num-cpus and --num-gpus must not be negative");
        }
        if (redisAddress != null && !redisAddress.isBlank()) {
            HostAndPort.parse(redisAddress.replaceFirst("^redis://", ""));
        }
    }

    public boolean head() {
        return head;
    }

    /** The GCS address to join (worker nodes), or null on the head. */
    public String address() {
        return address;
    }

    public int port() {
        return port;
    }

    public Path tempDir() {
        return tempDir;
    }

    public String nodeIpAddress() {
        return nodeIpAddress;
    }

    /** Resolves {@code --node-ip-address=auto} to the address this host's name resolves to. */
    public void resolveNodeIpAddress() throws java.net.UnknownHostException {
        if ("auto".equals(nodeIpAddress)) {
            nodeIpAddress = java.net.InetAddress.getLocalHost().getHostAddress();
        }
    }

    public int rayClientServerPort() {
        return rayClientServerPort;
    }

    /** Whether this node runs a Ray Client server: the flag if given, else only the head. */
    public boolean includesRayClientServer() {
        return includeRayClientServer != null ? includeRayClientServer : head;
    }

    List<String> clusterArgs(String nodeIdHex, SessionDir session) {
        return List.of("--stingray.cluster.node-id=" + nodeIdHex, "--stingray.cluster.session-dir=" + session.path(),
                "--stingray.cluster.node-ip-address=" + nodeIpAddress);
    }

    List<String> gcsArgs(String nodeIdHex, SessionDir session, int gcsPort) {
        List<String> args = new ArrayList<>(clusterArgs(nodeIdHex, session));
        args.add("--stingray.gcs.port=" + gcsPort);
        args.add("--stingray.gcs.session-name=" + session.name());
        args.add("--stingray.gcs.temp-dir=" + tempDir.toAbsolutePath());
        if (redisAddress != null && !redisAddress.isBlank()) {
            args.add("--stingray.gcs.redis-address=" + redisAddress);
        }
        if (redisPassword != null && !redisPassword.isBlank()) {
            args.add("--stingray.gcs.redis-password=" + redisPassword);
        }
        return args;
    }

    List<String> rayletArgs(String nodeIdHex, SessionDir session, String gcsAddress, Path workerLibDir) {
        List<String> raylet = new ArrayList<>(clusterArgs(nodeIdHex, session));
        raylet.add(gcsAddressArg(gcsAddress));
        raylet.add("--stingray.raylet.head=" + head);
        raylet.add("--stingray.raylet.port=" + nodeManagerPort);
        raylet.add("--stingray.raylet.temp-dir=" + tempDir.toAbsolutePath());
        raylet.add("--stingray.raylet.worker-lib-dir=" + workerLibDir);
        addIfSet(raylet, "num-cpus", numCpus);
        addIfSet(raylet, "num-gpus", numGpus);
        addIfSet(raylet, "memory", memory);
        addIfSet(raylet, "object-store-memory", objectStoreMemory);
        addIfSet(raylet, "resources", resources);
        addIfSet(raylet, "labels", labels);
        return raylet;
    }

    List<String> dashboardAgentArgs(String nodeIdHex, SessionDir session, String gcsAddress, long rayletPid) {
        List<String> agent = new ArrayList<>(clusterArgs(nodeIdHex, session));
        agent.add(gcsAddressArg(gcsAddress));
        agent.add("--stingray.dashboard-agent.listen-port=" + dashboardAgentListenPort);
        agent.add("--stingray.dashboard-agent.is-head-node=" + head);
        agent.add("--stingray.dashboard-agent.raylet-pid=" + rayletPid);
        return agent;
    }

    List<String> logMonitorArgs(String nodeIdHex, SessionDir session, String gcsAddress) {
        List<String> logMonitor = new ArrayList<>(clusterArgs(nodeIdHex, session));
        logMonitor.add(gcsAddressArg(gcsAddress));
        return logMonitor;
    }

    /** The Ray Client server, next to this node's raylet (its sessions' drivers use the node's object store). */
    List<String> rayClientServerArgs(String nodeIdHex, SessionDir session, String gcsAddress) {
        List<String> proxy = new ArrayList<>(clusterArgs(nodeIdHex, session));
        proxy.add(gcsAddressArg(gcsAddress));
        proxy.add("--stingray.client-proxy.port=" + rayClientServerPort);
        return proxy;
    }

    private static String gcsAddressArg(String gcsAddress) {
        return "--stingray.cluster.gcs-address=" + gcsAddress;
    }

    private static void addIfSet(List<String> args, String rayletProperty, Object value) {
        if (value != null) {
            args.add("--stingray.raylet." + rayletProperty + "=" + value);
        }
    }
}
