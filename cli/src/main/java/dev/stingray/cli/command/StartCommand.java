package dev.stingray.cli.command;

import dev.stingray.common.id.NodeId;
import dev.stingray.common.launch.DaemonKind;
import dev.stingray.common.launch.DaemonLauncher;
import dev.stingray.common.launch.DaemonStopper;
import dev.stingray.common.launch.LaunchedDaemon;
import dev.stingray.common.launch.NodeOptions;
import dev.stingray.common.launch.NodeStarter;
import dev.stingray.common.session.SessionDir;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code stingray start} (Ray: {@code ray start}, scripts.py). With {@code --head}: the GCS, raylet, dashboard
 * agent, log monitor and Ray Client server; with {@code --address}: a worker node's raylet, agent and log
 * monitor. All are launched at once ({@link NodeStarter}); returns once every daemon announced it is ready;
 * {@code --block} keeps the daemons fate-sharing with this command.
 */
@Command(name = "start", description = "Start Stingray processes on this machine (a head node or a worker node).")
public final class StartCommand implements Callable<Integer> {

    static final Duration READY_TIMEOUT = Duration.ofSeconds(90);

    @Spec
    CommandSpec spec;

    @Mixin
    NodeOptions node;

    @Option(names = "--block", description = "Stay in the foreground; stop everything when any process exits or on Ctrl-C.")
    boolean block;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        node.validate();
        NodeStarter.StartedNode started = NodeStarter.start(node, DaemonLauncher.findLibDir(), System.getenv(),
                EnumSet.allOf(DaemonKind.class), true, READY_TIMEOUT);
        printHints(out, started.gcsAddress(), started.session(), started.nodeId());
        if (block) {
            return blockUntilAnExit(out, started.daemons(), started.session());
        }
        return 0;
    }

    private void printHints(PrintWriter out, String gcsAddress, SessionDir session, NodeId nodeId) {
        String nodeIpAddress = node.nodeIpAddress();
        int clientPort = session.readPort("ray_client_server_port", nodeId.hex()).orElse(node.rayClientServerPort());
        out.println("Local node IP: " + nodeIpAddress);
        out.println();
        out.println("--------------------");
        out.println("Stingray runtime started.");
        out.println("--------------------");
        out.println();
        out.println("Node id: " + nodeId.hex());
        out.println("Session dir: " + session.path());
        out.println();
        boolean head = node.head();
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
        out.println((head ? "    " : "  ") + "stingray stop" + (node.tempDir().toString().equals(SessionDir.DEFAULT_TEMP_DIR) ? "" : " --temp-dir=" + node.tempDir()));
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
