package dev.stingray.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The example programs, run as their own JVMs with only {@code build/examples} (the example jar, ray-api
 * and stingray-runtime) on the class path and no {@code ray.address}: each starts the embedded default
 * local cluster, runs, checks its printed results, and leaves no Stingray process behind.
 */
class ExamplesE2ETest {

    private static CliRun runExample(String mainClass, String... args) {
        return ExternalCommand.example(List.of(), mainClass, args);
    }

    private static void assertLocalClusterStopped(CliRun run) {
        LocalClusterProcesses.assertAllGone(run);
    }

    @Test
    void monteCarloPiOnTheEmbeddedLocalCluster() throws Exception {
        CliRun run = runExample("dev.stingray.examples.MonteCarloPi", "20", "200000");
        assertThat(run.exitCode()).as(run.all()).isZero();
        Matcher pi = Pattern.compile("pi ~= (\\d\\.\\d+) from 20 tasks x 200000 samples").matcher(run.stdout());
        assertThat(pi.find()).as(run.stdout()).isTrue();
        assertThat(Double.parseDouble(pi.group(1))).isBetween(3.10, 3.18);
        assertThat(run.stdout()).containsPattern("first task returned \\d+ in \\d+ ms")
                .contains("large object: put/get of 128 MiB returned 128 MiB, last byte 7")
                .contains("Cluster nodes:").contains("alive=true");
        assertLocalClusterStopped(run);
    }

    @Test
    void taskGraph() throws Exception {
        CliRun run = runExample("dev.stingray.examples.TaskGraph");
        assertThat(run.exitCode()).as(run.all()).isZero();
        assertThat(run.stdout()).contains("sum of squares 1..10 via a chain of ObjectRefs = 385")
                .contains("sum of squares 1..10 via a nested task = 385")
                .contains("Ray.wait collected 8 results one by one");
        assertLocalClusterStopped(run);
    }
}
