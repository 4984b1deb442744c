package dev.stingray.common.launch;

import dev.stingray.common.gcs.GcsClient;
import dev.stingray.common.id.NodeId;
import dev.stingray.common.rpc.HostAndPort;
import dev.stingray.common.session.SessionDir;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Starts one node's daemons as {@code stingray start} does (Ray: {@code ray start} → {@code node.py}):
 * on the head the GCS, raylet, dashboard agent, log monitor and Ray Client server; on a worker node the
 * raylet, agent and log monitor (and a client server when asked). Every daemon is launched at once: the
 * GCS port is known before the GCS binds it (a free port is picked first when {@code --port=0}, as Ray
 * picks its ports), and the other daemons connect to the GCS with retries, so no daemon waits for another
 * to start. Readiness is then awaited through the ready files the daemons write ({@link DaemonLauncher#awaitReady}).
 * Daemons the caller does not wait for (the embedded default's agent and log monitor) are launched after
 * the others are ready, at a lower CPU priority, so they do not slow them.
 * Used by {@code stingray start} and by the embedded default of {@code Ray.init()}.
 */
public final class NodeStarter {

    /** A started node: its session dir, id, the cluster's GCS address and every daemon launched. */
    public record StartedNode(SessionDir session, NodeId nodeId, String gcsAddress, List<LaunchedDaemon> daemons) {
    }

    private NodeStarter() {
    }

    /**
     * Launches the node's daemons and waits until those of the {@code awaited} kinds are ready; on a failure
     * every daemon already launched is killed and the exception names the daemon and its log's last lines.
     *
     * @param detached whether the daemons outlive this process's terminal ({@link DaemonLauncher})
     */
    public static StartedNode start(NodeOptions options, Path libDir, Map<String, String> environment, Set<DaemonKind> awaited,
            boolean detached, Duration timeout) {
        options.validate();
        try {
            options.resolveNodeIpAddress();
            Files.createDirectories(options.tempDir());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot prepare the temp dir " + options.tempDir() + ": " + e.getMessage(), e);
        }
        NodeId nodeId = NodeId.random();
        String node = nodeId.hex();
        List<LaunchedDaemon> started = new ArrayList<>();
        try {
            SessionDir session;
            String gcsAddress;
            DaemonLauncher launcher;
            if (options.head()) {
                int gcsPort = options.port() == 0 ? freePort() : requireFree(options.port());
                session = SessionDir.create(options.tempDir(), SessionDir.newSessionName());
                launcher = new DaemonLauncher(libDir, session, environment, detached);
                gcsAddress = options.nodeIpAddress() + ":" + gcsPort;
                started.add(launcher.launch(DaemonKind.GCS_SERVER, node, options.gcsArgs(node, session, gcsPort)));
            } else {
                gcsAddress = HostAndPort.parse(options.address()).toString();
                session = SessionDir.create(options.tempDir(), sessionNameOf(gcsAddress));
                launcher = new DaemonLauncher(libDir, session, environment, detached);
            }
            LaunchedDaemon raylet = launcher.launch(DaemonKind.RAYLET, node,
                    options.rayletArgs(node, session, gcsAddress, launcher.libDir().resolve("worker")));
            started.add(raylet);
            Map<DaemonKind, List<String>> others = new java.util.EnumMap<>(DaemonKind.class);
            others.put(DaemonKind.DASHBOARD_AGENT, options.dashboardAgentArgs(node, session, gcsAddress, raylet.pid()));
            others.put(DaemonKind.LOG_MONITOR, options.logMonitorArgs(node, session, gcsAddress));
            if (options.includesRayClientServer()) {
                others.put(DaemonKind.RAY_CLIENT_SERVER, options.rayClientServerArgs(node, session, gcsAddress));
            }
            others.forEach((kind, args) -> {
                if (awaited.contains(kind)) {
                    started.add(launcher.launch(kind, node, args));
                }
            });
            launcher.awaitReady(started.stream().filter(d -> awaited.contains(d.kind())).toList(), timeout);
            // The daemons nobody waits for start only now, at a lower CPU priority: on a small machine they would
            // otherwise take cores from the ones being waited for.
            others.forEach((kind, args) -> {
                if (!awaited.contains(kind)) {
                    started.add(launcher.launch(kind, node, args, true));
                }
            });
            if (options.head()) {
                SessionDir.writeAtomically(options.tempDir().resolve(SessionDir.CURRENT_CLUSTER_FILE), gcsAddress);
            }
            return new StartedNode(session, nodeId, gcsAddress, List.copyOf(started));
        } catch (RuntimeException e) {
            DaemonStopper.kill(started);
            throw e;
        }
    }

    /** Ray picks a free port for the GCS of a local cluster the same way: bind port 0, read it, release it. */
    private static int freePort() {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(0));
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot find a free port for the GCS: " + e.getMessage(), e);
        }
    }

    /** Ray: "Error if a GCS is already running at the default address". */
    private static int requireFree(int gcsPort) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", gcsPort), 500);
        } catch (IOException free) {
            return gcsPort;
        }
        throw new IllegalStateException("Port " + gcsPort + " is already in use (a Stingray or Ray cluster may already run here)."
                + " Stop it with `stingray stop`, or choose another port with --port.");
    }

    private static String sessionNameOf(String gcsAddress) {
        try (GcsClient gcs = new GcsClient(gcsAddress, Duration.ofSeconds(5))) {
            return gcs.getClusterId().getSessionName();
        } catch (StatusRuntimeException e) {
            throw new IllegalStateException("Unable to connect to GCS at " + gcsAddress + " (" + e.getStatus().getCode() + "). Check that"
                    + " (1) the head node started successfully at that address (`stingray start --head`), and (2) no firewall"
                    + " blocks the port.");
        }
    }
}
