package dev.stingray.e2e;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs an external program (docker, an example JVM) to completion within a time limit. */
final class ExternalCommand {

    private ExternalCommand() {
    }

    /** The repository's root directory (the parent of {@code build/lib}, which Maven passes as {@code stingray.lib.dir}). */
    static Path repositoryRoot() {
        return Path.of(System.getProperty("stingray.lib.dir")).toAbsolutePath().getParent().getParent();
    }

    /** Runs {@code command} in {@code dir} with {@code env} added; fails if it runs longer than {@code timeout}. */
    static CliRun run(Path dir, Map<String, String> env, Duration timeout, List<String> command) {
        try {
            Path out = Files.createTempFile("command", ".out");
            Path err = Files.createTempFile("command", ".err");
            ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectOutput(out.toFile()).redirectError(err.toFile());
            pb.environment().remove("RAY_ADDRESS");
            pb.environment().putAll(env);
            Process p = pb.start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(String.join(" ", command) + " did not finish within " + timeout.toSeconds() + " s:\n"
                        + Files.readString(out) + Files.readString(err));
            }
            CliRun run = new CliRun(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
            return run;
        } catch (IOException e) {
            throw new AssertionError("Cannot run " + command.get(0) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("Interrupted while running " + command.get(0), e);
        }
    }

    /** Like {@link #run}, and fails unless the command exits with 0. */
    static CliRun ok(Path dir, Map<String, String> env, Duration timeout, List<String> command) {
        CliRun run = run(dir, env, timeout, command);
        if (run.exitCode() != 0) {
            throw new AssertionError(String.join(" ", command) + " exited with " + run.exitCode() + ":\n" + run.all());
        }
        return run;
    }

    /**
     * An example program from {@code build/examples} (the example jar, ray-api and the runtime only) as its
     * own JVM, with extra JVM arguments (e.g. {@code -Dray.address=...}).
     */
    static CliRun example(List<String> jvmArgs, String mainClass, String... args) {
        String examples = System.getProperty("stingray.examples.dir");
        String lib = System.getProperty("stingray.lib.dir");
        if (examples == null || !Files.isRegularFile(Path.of(examples, "examples.jar"))) {
            throw new IllegalStateException("build/examples is missing (stingray.examples.dir=" + examples + "); run ./mvnw verify from the root");
        }
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", examples + File.separator + "*", "-Dray.stingray.lib-dir=" + lib));
        cmd.addAll(jvmArgs);
        cmd.add(mainClass);
        cmd.addAll(List.of(args));
        return run(Path.of("."), Map.of(), Duration.ofSeconds(240), cmd);
    }
}
