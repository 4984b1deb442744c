package dev.stingray.e2e;

import dev.stingray.common.session.SessionDir;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/** One node started by the real CLI in its own temp dir: its session dir, node id and daemon pids. */
record StingrayNode(Path tempDir, String nodeIdHex) {

    Path sessionDir() {
        try (Stream<Path> dirs = Files.list(tempDir)) {
            return dirs.filter(p -> p.getFileName().toString().startsWith("session_2") && !Files.isSymbolicLink(p))
                    .findFirst().orElseThrow(() -> new IllegalStateException("no session dir in " + tempDir));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The pid of one of this node's daemons ({@code raylet}, {@code gcs_server}, ...). */
    long pid(String processName) {
        return SessionDir.readTrimmed(sessionDir().resolve(processName + "_" + nodeIdHex + ".pid")).map(Long::parseLong)
                .orElseThrow(() -> new IllegalStateException("no pid file for " + processName + " in " + sessionDir()));
    }

    Optional<Integer> port(String portName) {
        return new SessionDir(sessionDir()).readPort(portName, nodeIdHex);
    }

    /** The raylet's object store statistics (GetObjectStoreStats on its node manager port). */
    dev.stingray.proto.GetObjectStoreStatsReply objectStoreStats() {
        int port = port("node_manager_port").orElseThrow();
        io.grpc.ManagedChannel channel = dev.stingray.common.rpc.GrpcChannels.forAddress("127.0.0.1:" + port);
        try {
            return dev.stingray.proto.ObjectManagerServiceGrpc.newBlockingStub(channel)
                    .getObjectStoreStats(dev.stingray.proto.GetObjectStoreStatsRequest.getDefaultInstance());
        } finally {
            dev.stingray.common.rpc.GrpcChannels.close(channel);
        }
    }

    boolean isRunning(String processName) {
        return ProcessHandle.of(pid(processName)).map(dev.stingray.common.launch.DaemonStopper::running).orElse(false);
    }

    static String nodeIdFromStartOutput(String output) {
        return output.lines().filter(l -> l.startsWith("Node id: ")).map(l -> l.substring("Node id: ".length()).trim())
                .findFirst().orElseThrow(() -> new IllegalStateException("no node id in start output:\n" + output));
    }

    /**
     * The live worker JVMs of a job on this node, found by their log files ({@code worker-<id>-<job>-<pid>.out}, as
     * Ray names them): a warm worker gets its job only when it is handed off, so its command line does not say it.
     */
    List<ProcessHandle> workersOf(String jobHex) {
        java.util.regex.Pattern name = java.util.regex.Pattern.compile("worker-[0-9a-f]+-" + jobHex + "-(\\d+)\\.out");
        try (Stream<Path> logs = Files.list(sessionDir().resolve("logs"))) {
            return logs.map(p -> name.matcher(p.getFileName().toString())).filter(java.util.regex.Matcher::matches)
                    .map(m -> ProcessHandle.of(Long.parseLong(m.group(1)))).flatMap(Optional::stream)
                    .filter(dev.stingray.common.launch.DaemonStopper::running).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The warm worker JVMs of this node still waiting for a job. */
    List<ProcessHandle> warmWorkers() {
        String session = sessionDir().toString();
        return ProcessHandle.allProcesses().filter(p -> p.info().commandLine()
                .map(c -> c.contains("-Dray.worker.warm=true") && c.contains(session)).orElse(false))
                .filter(dev.stingray.common.launch.DaemonStopper::running).toList();
    }

    List<String> daemonNames() {
        return List.of("raylet", "dashboard_agent", "log_monitor");
    }
}
