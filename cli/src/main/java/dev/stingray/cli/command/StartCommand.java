package dev.stingray.cli.command;

import dev.stingray.cli.launch.DaemonKind;
import dev.stingray.cli.launch.DaemonLauncher;
import dev.stingray.cli.launch.DaemonStopper;
import dev.stingray.cli.launch.LaunchedDaemon;
import dev.stingray.common.gcs.GcsClient;
import dev.stingray.common.id.NodeId;
import dev.stingray.common.resources.NodeResources;
import dev.stingray.common.rpc.HostAndPort;
import dev.stingray.common.session.SessionDir;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code stingray start} (Ray: {@code ray start}, scripts.py). With {@code --head}: the GCS, then the
 * raylet, dashboard agent, log monitor and Ray Client server; with {@code --address}: a worker node's
 * raylet, agent and log monitor. Returns once every daemon reports ready; {@code --block} keeps the
 * daemons fate-sharing with this command.
 */
@Command(name = "start", description = "Start Stingray processes on this machine (a head node or a worker node).")
public final class StartCommand implements Callable<Integer> {

    static final Duration READY_TIMEOUT = Duration.ofSeconds(90);

    @Spec
    CommandSpec spec;

    @Option(names = "--head", description = "Start the head node (GCS, client server) of a new cluster.")
    boolean head;

    @Option(names = "--address", description = "GCS address HOST:PORT of the cluster to join (worker nodes).")
    String address;

    @Option(names = "--port", defaultValue = "6379", description = "GCS port of the head (Ray: 6379; 0 = any free port).")
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

    @Option(names = "--include-ray-client-server",
            description = "Also run the Ray Client server on this worker node (the head always runs one); for a client-proxy node in containers.")
    boolean includeRayClientServer;

    @Option(names = "--block", description = "Stay in the foreground; stop everything when any process exits or on Ctrl-C.")
    boolean block;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        validate();
        if ("auto".equals(nodeIpAddress)) {
            nodeIpAddress = java.net.InetAddress.getLocalHost().getHostAddress();
        }
        Files.createDirectories(tempDir);
        Map<String, String> env = new java.util.HashMap<>(System.getenv());
        NodeId nodeId = NodeId.random();
        List<LaunchedDaemon> started = new ArrayList<>();
        String gcsAddress;
        SessionDir session;
        try {
            if (head) {
                assertPortFree(port);
                session = SessionDir.create(tempDir, SessionDir.newSessionName());
                DaemonLauncher launcher = new DaemonLauncher(DaemonLauncher.findLibDir(), session, env);
                LaunchedDaemon gcs = launcher.launch(DaemonKind.GCS_SERVER, nodeId.hex(), gcsArgs(nodeId, session));
                started.add(gcs);
                gcsAddress = nodeIpAddress + ":" + launcher.awaitPort(gcs, "gcs_server_port", READY_TIMEOUT);
                startNodeDaemons(launcher, nodeId, session, gcsAddress, started);
                started.add(launchRayClientServer(launcher, nodeId, session, gcsAddress));
                awaitAllReady(launcher, started);
                SessionDir.writeAtomically(tempDir.resolve(SessionDir.CURRENT_CLUSTER_FILE), gcsAddress);
            } else {
                gcsAddress = HostAndPort.parse(address).toString();
                String sessionName = joinCluster(gcsAddress);
                session = SessionDir.create(tempDir, sessionName);
                DaemonLauncher launcher = new DaemonLauncher(DaemonLauncher.findLibDir(), session, env);
                startNodeDaemons(launcher, nodeId, session, gcsAddress, started);
                if (includeRayClientServer) {
                    started.add(launchRayClientServer(launcher, nodeId, session, gcsAddress));
                }
                awaitAllReady(launcher, started);
            }
        } catch (RuntimeException e) {
            DaemonStopper.stop(started, true, Duration.ZERO);
            throw e;
        }
        printHints(out, gcsAddress, session, nodeId);
        if (block) {
            return blockUntilAnExit(out, started, session);
        }
        return 0;
    }

    private void validate() {
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

    /** Ray: "Error if a GCS is already running at the default address". */
    private void assertPortFree(int gcsPort) {
        if (gcsPort == 0) {
            return;
        }
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", gcsPort), 500);
        } catch (IOException free) {
            return;
        }
        throw new IllegalStateException("Port " + gcsPort + " is already in use (a Stingray or Ray cluster may already run here)."
                + " Stop it with `stingray stop`, or choose another port with --port.");
    }

    private String joinCluster(String gcsAddress) {
        try (GcsClient gcs = new GcsClient(gcsAddress, Duration.ofSeconds(5))) {
            return gcs.getClusterId().getSessionName();
        } catch (StatusRuntimeException e) {
            throw new IllegalStateException("Unable to connect to GCS at " + gcsAddress + " (" + e.getStatus().getCode() + "). Check that"
                    + " (1) the head node started successfully at that address (`stingray start --head`), and (2) no firewall"
                    + " blocks the port.");
        }
    }

    private static String gcsAddressArg(String gcsAddress) {
        return "--stingray.cluster.gcs-address=" + gcsAddress;
    }

    private List<String> clusterArgs(NodeId nodeId, SessionDir session) {
        return List.of("--stingray.cluster.node-id=" + nodeId.hex(), "--stingray.cluster.session-dir=" + session.path(),
                "--stingray.cluster.node-ip-address=" + nodeIpAddress);
    }

    private List<String> gcsArgs(NodeId nodeId, SessionDir session) {
        List<String> args = new ArrayList<>(clusterArgs(nodeId, session));
        args.add("--stingray.gcs.port=" + port);
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

    private void startNodeDaemons(DaemonLauncher launcher, NodeId nodeId, SessionDir session, String gcsAddress,
            List<LaunchedDaemon> started) {
        List<String> raylet = new ArrayList<>(clusterArgs(nodeId, session));
        raylet.add(gcsAddressArg(gcsAddress));
        raylet.add("--stingray.raylet.head=" + head);
        raylet.add("--stingray.raylet.port=" + nodeManagerPort);
        raylet.add("--stingray.raylet.temp-dir=" + tempDir.toAbsolutePath());
        raylet.add("--stingray.raylet.worker-lib-dir=" + launcher.libDir().resolve("worker"));
        if (numCpus != null) {
            raylet.add("--stingray.raylet.num-cpus=" + numCpus);
        }
        if (numGpus != null) {
            raylet.add("--stingray.raylet.num-gpus=" + numGpus);
        }
        if (memory != null) {
            raylet.add("--stingray.raylet.memory=" + memory);
        }
        if (objectStoreMemory != null) {
            raylet.add("--stingray.raylet.object-store-memory=" + objectStoreMemory);
        }
        if (resources != null) {
            raylet.add("--stingray.raylet.resources=" + resources);
        }
        if (labels != null) {
            raylet.add("--stingray.raylet.labels=" + labels);
        }
        LaunchedDaemon rayletProcess = launcher.launch(DaemonKind.RAYLET, nodeId.hex(), raylet);
        started.add(rayletProcess);

        List<String> agent = new ArrayList<>(clusterArgs(nodeId, session));
        agent.add(gcsAddressArg(gcsAddress));
        agent.add("--stingray.dashboard-agent.listen-port=" + dashboardAgentListenPort);
        agent.add("--stingray.dashboard-agent.is-head-node=" + head);
        agent.add("--stingray.dashboard-agent.raylet-pid=" + rayletProcess.pid());
        started.add(launcher.launch(DaemonKind.DASHBOARD_AGENT, nodeId.hex(), agent));

        List<String> logMonitor = new ArrayList<>(clusterArgs(nodeId, session));
        logMonitor.add(gcsAddressArg(gcsAddress));
        started.add(launcher.launch(DaemonKind.LOG_MONITOR, nodeId.hex(), logMonitor));
    }

    /** The Ray Client server, next to this node's raylet (its sessions' drivers use the node's object store). */
    private LaunchedDaemon launchRayClientServer(DaemonLauncher launcher, NodeId nodeId, SessionDir session, String gcsAddress) {
        List<String> proxy = new ArrayList<>(clusterArgs(nodeId, session));
        proxy.add(gcsAddressArg(gcsAddress));
        proxy.add("--stingray.client-proxy.port=" + rayClientServerPort);
        return launcher.launch(DaemonKind.RAY_CLIENT_SERVER, nodeId.hex(), proxy);
    }

    private static void awaitAllReady(DaemonLauncher launcher, List<LaunchedDaemon> started) {
        for (LaunchedDaemon d : started) {
            launcher.awaitReady(d, READY_TIMEOUT);
        }
    }

    private void printHints(PrintWriter out, String gcsAddress, SessionDir session, NodeId nodeId) {
        int clientPort = session.readPort("ray_client_server_port", nodeId.hex()).orElse(rayClientServerPort);
        out.println("Local node IP: " + nodeIpAddress);
        out.println();
        out.println("--------------------");
        out.println("Stingray runtime started.");
        out.println("--------------------");
        out.println();
        out.println("Node id: " + nodeId.hex());
        out.println("Session dir: " + session.path());
        out.println();
        if (head) {
            out.println("Next steps");
            out.println("  To add another node to this Stingray cluster, run");
            out.println("    stingray start --address='" + gcsAddress + "'");
            out.println();
            out.println("  To connect to this Stingray cluster from a Ray Java program, run it with");
            out.println("    -Dray.address=" + gcsAddress + "   (or -Dray.address=ray://" + nodeIpAddress + ":" + clientPort
                    + " for client mode)");
            out.println();
            out.println("  To see the status of the cluster, use");
            out.println("    stingray status");
            out.println();
        } else {
            out.println("To see the status of the cluster, use");
            out.println("  stingray status --address='" + gcsAddress + "'");
            out.println();
        }
        out.println((head ? "  " : "") + "To terminate the Stingray runtime, run");
        out.println((head ? "    " : "  ") + "stingray stop" + (tempDir.toString().equals(SessionDir.DEFAULT_TEMP_DIR) ? "" : " --temp-dir=" + tempDir));
        out.flush();
    }

    /** Ray's {@code --block}: poll the children every second; any exit stops everything and exits 1. */
    private int blockUntilAnExit(PrintWriter out, List<LaunchedDaemon> started, SessionDir session) throws IOException {
        Thread hook = new Thread(() -> DaemonStopper.stop(started, false, Duration.ofSeconds(16)), "stingray-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        out.println("--block: the Stingray processes run as long as this command; Ctrl-C stops them.");
        out.flush();
        while (true) {
            for (LaunchedDaemon d : started) {
                if (!d.process().isAlive()) {
                    String message = Instant.now() + " " + d.kind().processName() + " (pid " + d.pid()
                            + ") exited unexpectedly; stopping the other Stingray processes.";
                    Files.writeString(session.logsDir().resolve("ray_process_exit.log"), message + "\n",
                            StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                    spec.commandLine().getErr().println("Some Stingray subprocesses exited unexpectedly: " + message);
                    spec.commandLine().getErr().println(DaemonLauncher.logTail(d));
                    Runtime.getRuntime().removeShutdownHook(hook);
                    DaemonStopper.stop(started, false, Duration.ofSeconds(16));
                    return 1;
                }
            }
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return 1;
            }
        }
    }
}
