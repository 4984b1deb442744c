package dev.stingray.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the real {@code stingray} CLI jar from the build ({@code build/lib/cli.jar}) as a separate
 * process, with shrunk health-check timings in its environment (passed on to every daemon, as Ray's
 * {@code RAY_health_check_*} variables are).
 */
final class StingrayCliDriver implements AutoCloseable {

    /** Ray's defaults shrunk so a dead node is detected in seconds (initial 1 s + 0.5 s × 3). */
    static final Map<String, String> FAST_HEALTH_CHECKS = Map.of(
            "RAY_health_check_initial_delay_ms", "1000",
            "RAY_health_check_period_ms", "500",
            "RAY_health_check_timeout_ms", "1000",
            "RAY_health_check_failure_threshold", "3");

    private final Path libDir;
    private final Map<String, String> env = new HashMap<>(System.getenv());
    private final List<Path> tempDirs = new ArrayList<>();

    StingrayCliDriver(Map<String, String> extraEnv) {
        String dir = System.getProperty("stingray.lib.dir");
        if (dir == null || !Files.isRegularFile(Path.of(dir, "cli.jar"))) {
            throw new IllegalStateException("The E2E tests need the built jars in build/lib (system property stingray.lib.dir="
                    + dir + "); run them through ./mvnw verify from the project root.");
        }
        this.libDir = Path.of(dir);
        env.putAll(extraEnv);
    }

    Path newTempDir() {
        try {
            Path d = Files.createTempDirectory("stingray-e2e");
            tempDirs.add(d);
            return d;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    CliRun run(String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Dstingray.lib.dir=" + libDir, "-jar", libDir.resolve("cli.jar").toString()));
        cmd.addAll(List.of(args));
        try {
            Path out = Files.createTempFile("stingray-cli", ".out");
            Path err = Files.createTempFile("stingray-cli", ".err");
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
            pb.environment().clear();
            pb.environment().putAll(env);
            Process p = pb.start();
            if (!p.waitFor(180, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("stingray " + String.join(" ", args) + " did not finish within 180 s");
            }
            CliRun run = new CliRun(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
            return run;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Runs a command that must succeed; the failure message carries its output. */
    CliRun ok(String... args) {
        CliRun run = run(args);
        if (run.exitCode() != 0) {
            throw new AssertionError("stingray " + String.join(" ", args) + " exited " + run.exitCode() + "\n" + run.all());
        }
        return run;
    }

    StingrayNode startHead(String... extra) {
        Path temp = newTempDir();
        List<String> args = withDefaults(List.of("start", "--head"), List.of("--port=0", "--temp-dir=" + temp,
                "--ray-client-server-port=0", "--dashboard-agent-listen-port=0", "--num-cpus=2"), extra);
        return new StingrayNode(temp, StingrayNode.nodeIdFromStartOutput(ok(args.toArray(String[]::new)).stdout()));
    }

    StingrayNode startWorker(String gcsAddress, String... extra) {
        Path temp = newTempDir();
        List<String> args = withDefaults(List.of("start", "--address=" + gcsAddress), List.of("--temp-dir=" + temp,
                "--dashboard-agent-listen-port=0", "--num-cpus=1"), extra);
        return new StingrayNode(temp, StingrayNode.nodeIdFromStartOutput(ok(args.toArray(String[]::new)).stdout()));
    }

    /** The command, then each default flag unless {@code extra} sets the same flag, then {@code extra}. */
    private static List<String> withDefaults(List<String> command, List<String> defaults, String... extra) {
        List<String> args = new ArrayList<>(command);
        for (String d : defaults) {
            String flag = d.substring(0, d.indexOf('='));
            if (java.util.Arrays.stream(extra).noneMatch(e -> e.startsWith(flag + "="))) {
                args.add(d);
            }
        }
        args.addAll(List.of(extra));
        return args;
    }

    static String gcsAddress(StingrayNode head) {
        return "127.0.0.1:" + head.port("gcs_server_port").orElseThrow();
    }

    /** Stops every node this driver started (also after a failed test). */
    @Override
    public void close() {
        for (Path temp : tempDirs) {
            run("stop", "--force", "--temp-dir=" + temp);
        }
    }
}
