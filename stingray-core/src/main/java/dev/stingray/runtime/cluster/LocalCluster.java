package dev.stingray.runtime.cluster;

import dev.stingray.common.launch.DaemonKind;
import dev.stingray.common.launch.DaemonStopper;
import dev.stingray.common.launch.NodeOptions;
import dev.stingray.common.launch.NodeStarter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The embedded default of {@code Ray.init()} without an address: a single-node cluster of the same daemon
 * processes as {@code stingray start --head} (Ray's {@code ray.init()} also starts no Ray Client server), launched
 * from the driver's JVM ({@link NodeStarter}, no CLI JVM) with the {@link LocalDistribution}'s jars into a fresh temp
 * dir, with an in-memory GCS on a free port. {@link #start} returns once the GCS and the raylet are ready: that is all
 * a driver needs. The dashboard agent and log monitor are launched then, at a lower CPU priority, and finish starting
 * beside the driver's first tasks (the log monitor reads every log from its start, so no output is lost). The daemons
 * share the driver's session, so they also end with its terminal. {@link #close()} at {@code Ray.shutdown()} kills
 * every process of the cluster at once (SIGKILL: the cluster's state dies with it, nothing to drain) and returns when
 * all have exited.
 */
public final class LocalCluster implements AutoCloseable {

    /** What {@code Ray.init()} waits for. */
    static final Set<DaemonKind> AWAITED = EnumSet.of(DaemonKind.GCS_SERVER, DaemonKind.RAYLET);
    static final Duration READY_TIMEOUT = Duration.ofSeconds(90);

    private final NodeStarter.StartedNode node;
    private final Path tempDir;

    private LocalCluster(NodeStarter.StartedNode node, Path tempDir) {
        this.node = node;
        this.tempDir = tempDir;
    }

    /** Starts the cluster; {@code headArgs} ({@code ray.head-args.N}) are {@code stingray start} flags that override the defaults. */
    public static LocalCluster start(List<String> headArgs) {
        Path libDir = LocalDistribution.libDir();
        try {
            Path temp = Files.createTempDirectory("stingray-local");
            List<String> args = new ArrayList<>(List.of("--head", "--port=0", "--temp-dir=" + temp, "--include-ray-client-server=false",
                    "--ray-client-server-port=0", "--dashboard-agent-listen-port=0"));
            args.addAll(headArgs);
            NodeStarter.StartedNode node = NodeStarter.start(NodeOptions.parse(args), libDir, System.getenv(), AWAITED, false, READY_TIMEOUT);
            System.err.println("Started a local Stingray cluster at " + node.gcsAddress() + " (temp dir " + temp + ")");
            return new LocalCluster(node, temp);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start a local Stingray cluster: " + e.getMessage(), e);
        }
    }

    public String gcsAddress() {
        return node.gcsAddress();
    }

    public Path tempDir() {
        return tempDir;
    }

    @Override
    public void close() {
        DaemonStopper.kill(node.daemons());
    }
}
