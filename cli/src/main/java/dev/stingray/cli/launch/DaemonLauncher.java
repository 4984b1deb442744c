package dev.stingray.cli.launch;

import dev.stingray.common.session.SessionDir;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Starts daemon JVMs from the jars in the lib dir, with lean flags (bounded heap, serial GC, C1 only:
 * DESIGN.md §8 measured 26.6 s → 8.3 s for five daemons on 2 cores) and, when the build produced them,
 * the extracted jar layout with a class-data-sharing archive ({@code build/lib/<module>/}). Each daemon logs to {@code <session>/logs/<name>.out|err}, gets a
 * pid file {@code <session>/<name>_<nodeIdHex>.pid}, and runs in its own session ({@code setsid}) so
 * it outlives a non-blocking {@code stingray start}.
 */
public final class DaemonLauncher {

    /** Flags for every daemon JVM, after its {@code -Xmx}; {@code STINGRAY_DAEMON_JVM_OPTS} adds more. */
    static final List<String> LEAN_FLAGS = List.of(
            "-Xss512k", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:+ExitOnOutOfMemoryError");

    private final Path libDir;
    private final SessionDir session;
    private final Map<String, String> environment;

    public DaemonLauncher(Path libDir, SessionDir session, Map<String, String> environment) {
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
        Path jar = libDir.resolve(kind.jar());
        List<String> command = new ArrayList<>();
        if (Files.isExecutable(Path.of("/usr/bin/setsid"))) {
            command.add("/usr/bin/setsid");
        }
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx" + kind.maxHeap());
        command.addAll(LEAN_FLAGS);
        // The extracted layout with its class-data-sharing archive starts about twice as fast (DESIGN.md §8).
        String module = kind.jar().replace(".jar", "");
        Path extracted = libDir.resolve(module).resolve(kind.jar());
        Path archive = libDir.resolve(module).resolve(module + ".jsa");
        if (Files.isRegularFile(extracted)) {
            jar = extracted;
            if (Files.isRegularFile(archive)) {
                command.add("-XX:SharedArchiveFile=" + archive);
                command.add("-Xshare:auto");
                command.add("-Xlog:cds=off");
                command.add("-Xlog:class+path=off");
            }
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
            // setsid execs java in place, so the pid is the daemon's own.
            SessionDir.writeAtomically(session.pidFile(kind.processName(), nodeIdHex), Long.toString(p.pid()));
            return new LaunchedDaemon(kind, nodeIdHex, p.toHandle(), out, err);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start " + kind.processName() + " from " + jar + ": " + e.getMessage(), e);
        }
    }

    /** Waits for a port file the daemon writes once it bound the port; fails early if the daemon died. */
    public int awaitPort(LaunchedDaemon daemon, String portFileName, Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            Optional<Integer> port = session.readPort(portFileName, daemon.nodeIdHex());
            if (port.isPresent()) {
                return port.get();
            }
            failIfDead(daemon);
            pause();
        }
        throw new IllegalStateException(daemon.kind().processName() + " did not bind its port within " + timeout.toSeconds() + " s. "
                + logTail(daemon));
    }

    /** Waits until {@code /actuator/health/readiness} answers 200. */
    public void awaitReady(LaunchedDaemon daemon, Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        int port = awaitPort(daemon, daemon.kind().httpPortFile(), timeout);
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        URI uri = URI.create("http://127.0.0.1:" + port + "/actuator/health/readiness");
        String last = "";
        while (Instant.now().isBefore(deadline)) {
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
                last = r.body();
            } catch (IOException e) {
                last = e.toString();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while waiting for " + daemon.kind().processName());
            }
            failIfDead(daemon);
            pause();
        }
        throw new IllegalStateException(daemon.kind().processName() + " was not ready within " + timeout.toSeconds()
                + " s (readiness: " + last + "). " + logTail(daemon));
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

    private static void pause() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
