package dev.stingray.cli.command;

import dev.stingray.common.launch.DaemonKind;
import dev.stingray.common.launch.DaemonStopper;
import dev.stingray.common.launch.LaunchedDaemon;
import dev.stingray.common.session.SessionDir;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code stingray stop} (Ray: {@code ray stop}). Finds daemons through the pid files of every session
 * dir under {@code --temp-dir} (not by process name, so other users' or other temp dirs' processes are
 * left alone), checks each pid still runs a Stingray jar, and stops them raylet first, GCS last.
 */
@Command(name = "stop", description = "Stop the Stingray processes started from this machine's temp dir.")
public final class StopCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = {"-f", "--force"}, description = "Send SIGKILL instead of SIGTERM.")
    boolean force;

    @Option(names = {"-g", "--grace-period"}, defaultValue = "16", description = "Seconds to wait before SIGKILL (Ray: 16).")
    int gracePeriodSeconds;

    @Option(names = "--temp-dir", defaultValue = SessionDir.DEFAULT_TEMP_DIR, description = "Root of the session dirs to stop.")
    Path tempDir;

    @Override
    public Integer call() throws IOException {
        if (gracePeriodSeconds < 0) {
            throw new IllegalArgumentException("--grace-period must not be negative, got " + gracePeriodSeconds);
        }
        List<LaunchedDaemon> running = new ArrayList<>();
        List<Path> pidFiles = new ArrayList<>();
        if (Files.isDirectory(tempDir)) {
            try (Stream<Path> sessions = Files.list(tempDir)) {
                for (Path dir : sessions.filter(p -> p.getFileName().toString().startsWith("session_")
                        && !Files.isSymbolicLink(p) && Files.isDirectory(p)).toList()) {
                    try (Stream<Path> files = Files.list(dir)) {
                        for (Path pidFile : files.filter(f -> f.getFileName().toString().endsWith(".pid")).toList()) {
                            pidFiles.add(pidFile);
                            find(pidFile, dir).ifPresent(running::add);
                        }
                    }
                }
            }
        }
        int stopped = DaemonStopper.stop(running, force, Duration.ofSeconds(gracePeriodSeconds));
        for (Path pidFile : pidFiles) {
            Files.deleteIfExists(pidFile);
        }
        Files.deleteIfExists(tempDir.resolve(SessionDir.CURRENT_CLUSTER_FILE));
        if (stopped == 0) {
            spec.commandLine().getOut().println("Did not find any active Stingray processes.");
        } else {
            spec.commandLine().getOut().println("Stopped all " + stopped + " Stingray processes.");
        }
        return 0;
    }

    /** The daemon behind a pid file, if that pid still runs the daemon's jar (pids get reused). */
    private static Optional<LaunchedDaemon> find(Path pidFile, Path sessionDir) {
        String name = pidFile.getFileName().toString().replaceFirst("\\.pid$", "");
        int split = name.lastIndexOf('_');
        if (split < 0) {
            return Optional.empty();
        }
        Optional<DaemonKind> kind = DaemonKind.byProcessName(name.substring(0, split));
        Optional<Long> pid = SessionDir.readTrimmed(pidFile).flatMap(s -> {
            try {
                return Optional.of(Long.parseLong(s));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        });
        if (kind.isEmpty() || pid.isEmpty()) {
            return Optional.empty();
        }
        return ProcessHandle.of(pid.get())
                .filter(DaemonStopper::running)
                .filter(p -> p.info().commandLine().map(c -> c.contains(kind.get().jar())).orElse(false))
                .map(p -> new LaunchedDaemon(kind.get(), name.substring(split + 1), p,
                        sessionDir.resolve("logs").resolve(kind.get().processName() + ".out"),
                        sessionDir.resolve("logs").resolve(kind.get().processName() + ".err")));
    }
}
