package dev.stingray.common.launch;

import dev.stingray.common.session.SessionDir;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Starts daemon JVMs from the jars in the lib dir, with lean flags (bounded heap, serial GC, C1 only:
 * DESIGN.md §8 measured 26.6 s → 8.3 s for five daemons on 2 cores) and, when the build produced them,
 * the extracted jar layout with a class-data-sharing archive ({@code build/lib/<module>/}). Each daemon logs to {@code <session>/logs/<name>.out|err}, gets a
 * pid file {@code <session>/<name>_<nodeIdHex>.pid}, and, when detached, runs in its own session ({@code setsid})
 * so it outlives a non-blocking {@code stingray start}.
 */
public final class DaemonLauncher {

    /** Flags for every daemon JVM, after its {@code -Xmx}; {@code STINGRAY_DAEMON_JVM_OPTS} adds more. */
    static final List<String> LEAN_FLAGS = List.of(
            "-Xss512k", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:+ExitOnOutOfMemoryError",
            // A small heap that grows on demand and shrinks back, and a code cache sized for C1 only: an idle GCS
            // 191 -> 143 MiB RSS, and it starts ~10 % faster (less memory touched); docs/architecture.md.
            "-Xms32m", "-XX:MinHeapFreeRatio=5", "-XX:MaxHeapFreeRatio=20", "-XX:ReservedCodeCacheSize=32m");

    /** The nice value of background daemons. */
    static final int BACKGROUND_NICE = 10;

    private final Path libDir;
    private final boolean detached;
    private final SessionDir session;
    private final Map<String, String> environment;

    /**
     * @param detached whether each daemon runs in a session of its own ({@code setsid}), outliving the launcher's
     *                 terminal ({@code stingray start}); otherwise the daemons share the launcher's session and end
     *                 with its terminal (the embedded default, whose cluster lives as long as its driver)
     */
    public DaemonLauncher(Path libDir, SessionDir session, Map<String, String> environment, boolean detached) {
        this.detached = detached;
        this.libDir = libDir;
        this.session = session;
        this.environment = environment;
    }

    public Path libDir() {
        return libDir;
    }

    /** The lib dir: {@code -Dstingray.lib.dir}, {@code STINGRAY_LIB_DIR}, or the directory of the running CLI jar ({@code lib/cli.jar} or {@code lib/cli/cli.jar}). */
    public static Path findLibDir() {
        String configured = System.getProperty("stingray.lib.dir", System.getenv("STINGRAY_LIB_DIR"));
        Path dir;
        if (configured != null && !configured.isBlank()) {
            dir = Path.of(configured);
        } else {
            Path self = Path.of(System.getProperty("java.class.path").split(java.io.File.pathSeparator)[0]).toAbsolutePath();
            dir = self.getParent();
            // A distribution runs the CLI from its extracted layout, lib/cli/cli.jar.
            if (dir != null && dir.getFileName() != null && dir.getFileName().toString().equals("cli")) {
                dir = dir.getParent();
            }
        }
        String gcsJar = DaemonKind.GCS_SERVER.jar();
        // The fat jar, or only its extracted layout (container images ship just that).
        if (dir == null || !Files.isRegularFile(dir.resolve(gcsJar)) && !Files.isRegularFile(dir.resolve(gcsJar.replace(".jar", "")).resolve(gcsJar))) {
            throw new IllegalStateException("Cannot find the Stingray daemon jars (" + DaemonKind.GCS_SERVER.jar() + ") in " + dir
                    + ". Build them with ./mvnw package (they land in build/lib) or set STINGRAY_LIB_DIR.");
        }
        return dir;
    }

    public LaunchedDaemon launch(DaemonKind kind, String nodeIdHex, List<String> springArgs) {
        return launch(kind, nodeIdHex, springArgs, false);
    }

    /**
     * Launches a daemon; a {@code background} one runs at a lower CPU priority ({@code nice -n 10}), so on a small
     * machine the daemons someone waits for get the cores first. (With the kernel's scheduler autogroups, on by
     * default, nice only ranks processes of one session: it pays only for daemons that are not detached.)
     */
    public LaunchedDaemon launch(DaemonKind kind, String nodeIdHex, List<String> springArgs, boolean background) {
        Path jar = libDir.resolve(kind.jar());
        List<String> command = new ArrayList<>();
        if (detached && Files.isExecutable(Path.of("/usr/bin/setsid"))) {
            command.add("/usr/bin/setsid");
        }
        if (background && Files.isExecutable(Path.of("/usr/bin/nice"))) {
            command.addAll(List.of("/usr/bin/nice", "-n", Integer.toString(BACKGROUND_NICE)));
        }
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx" + kind.maxHeap());
        command.addAll(LEAN_FLAGS);
        // The extracted layout with its recorded archive starts about twice as fast (DESIGN.md §8): on JDK 25+ the
        // AOT cache (JEP 483/514/515: classes loaded and linked, profiles), on older JDKs the class-data-sharing archive.
        String module = kind.jar().replace(".jar", "");
        Path extracted = libDir.resolve(module).resolve(kind.jar());
        if (Files.isRegularFile(extracted)) {
            jar = extracted;
            command.addAll(StartupArchive.of(libDir.resolve(module), module).jvmFlags());
        }
        String extra = environment.getOrDefault("STINGRAY_DAEMON_JVM_OPTS", "");
        if (!extra.isBlank()) {
            command.addAll(List.of(extra.trim().split("\\s+")));
        }
        command.add("-Dstingray.process=" + kind.processName());
        command.add("-jar");
        command.add(jar.toString());
        command.addAll(springArgs);
        Path out = session.logsDir().resolve(kind.processName() + ".out");
        Path err = session.logsDir().resolve(kind.processName() + ".err");
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(out.toFile()))
                .redirectError(ProcessBuilder.Redirect.appendTo(err.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().clear();
        pb.environment().putAll(environment);
        try {
            Process p = pb.start();
            // setsid and nice exec java in place, so the pid is the daemon's own.
            SessionDir.writeAtomically(session.pidFile(kind.processName(), nodeIdHex), Long.toString(p.pid()));
            return new LaunchedDaemon(kind, nodeIdHex, p.toHandle(), out, err);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start " + kind.processName() + " from " + jar + ": " + e.getMessage(), e);
        }
    }

    /**
     * Waits until every daemon wrote its ready file (its readiness probe is UP; {@code ReadinessAnnouncer}), woken
     * by the file-system event of each new file rather than polling the probes; fails as soon as one of them exits.
     */
    public void awaitReady(List<LaunchedDaemon> daemons, Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        try (WatchService watch = session.path().getFileSystem().newWatchService()) {
            session.path().register(watch, StandardWatchEventKinds.ENTRY_CREATE);
            List<LaunchedDaemon> waiting = new ArrayList<>(daemons);
            while (true) {
                waiting.removeIf(d -> Files.exists(session.readyFile(d.kind().processName(), d.nodeIdHex())));
                if (waiting.isEmpty()) {
                    return;
                }
                waiting.forEach(this::failIfDead);
                Duration left = Duration.between(Instant.now(), deadline);
                if (left.isNegative()) {
                    LaunchedDaemon late = waiting.get(0);
                    throw new IllegalStateException(late.kind().processName() + " was not ready within " + timeout.toSeconds() + " s. "
                            + logTail(late));
                }
                // The event only wakes us; the loop re-checks the files. The bound catches a daemon's exit quickly.
                WatchKey key = watch.poll(Math.min(left.toMillis(), 100), TimeUnit.MILLISECONDS);
                if (key != null) {
                    key.pollEvents();
                    key.reset();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot watch " + session.path() + " for ready files: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for the Stingray daemons to be ready");
        }
    }

    private void failIfDead(LaunchedDaemon daemon) {
        if (!daemon.process().isAlive()) {
            throw new IllegalStateException(daemon.kind().processName() + " (pid " + daemon.pid() + ") exited during start-up. "
                    + logTail(daemon));
        }
    }

    /** The last lines of a daemon's logs, for error messages. */
    public static String logTail(LaunchedDaemon daemon) {
        StringBuilder sb = new StringBuilder("Last lines of ").append(daemon.stderr()).append(":\n");
        for (Path log : List.of(daemon.stderr(), daemon.stdout())) {
            try {
                List<String> lines = Files.readAllLines(log);
                lines.subList(Math.max(0, lines.size() - 15), lines.size()).forEach(l -> sb.append("  ").append(l).append('\n'));
            } catch (IOException e) {
                // Nothing logged yet.
            }
        }
        return sb.toString();
    }
}
