package dev.stingray.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs another Ray driver — its own JVM and job — on the test's class path against a cluster, and returns
 * its output once it exits 0 within 120 s (killed and failed otherwise).
 */
final class SecondDriver {

    private SecondDriver() {
    }

    /**
     * @param gcsAddress the cluster's GCS
     * @param properties extra {@code -D} flags (namespace, runtime env, …)
     * @param main       the driver's main class
     * @param args       its arguments
     */
    static String run(String gcsAddress, List<String> properties, Class<?> main, String... args) throws IOException, InterruptedException {
        Path output = Files.createTempFile("second-driver", ".out");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "-Dray.address=" + gcsAddress,
                "-Dray.job.code-search-path=" + Path.of("target/test-classes").toAbsolutePath()));
        cmd.addAll(properties);
        cmd.add(main.getName());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("The second driver did not finish within 120 s:\n" + Files.readString(output));
        }
        String out = Files.readString(output);
        Files.deleteIfExists(output);
        assertThat(p.exitValue()).as("second driver output:\n%s", out).isZero();
        return out;
    }
}
