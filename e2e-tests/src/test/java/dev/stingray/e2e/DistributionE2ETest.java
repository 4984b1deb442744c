package dev.stingray.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The distribution {@code ./mvnw package} makes ({@code build/stingray-<version>.tar.gz}), unpacked into a temp dir
 * outside the repository and run from there with its own {@code bin/stingray}: start a head (which records the CDS
 * archives on this first start), status, stop — without the source tree or {@code STINGRAY_LIB_DIR}.
 */
class DistributionE2ETest {

    @Test
    void theUnpackedArchiveRunsAClusterFromAnyDirectory() throws Exception {
        String version = System.getProperty("stingray.version");
        Path archive = ExternalCommand.repositoryRoot().resolve("build").resolve("stingray-" + version + ".tar.gz");
        assertThat(archive).as("./mvnw package writes the distribution").isRegularFile();
        Path unpacked = Files.createTempDirectory("stingray-dist");
        ExternalCommand.ok(unpacked, Map.of(), Duration.ofMinutes(2), List.of("tar", "xzf", archive.toString()));
        Path home = unpacked.resolve("stingray-" + version);
        assertThat(home.resolve("README.md")).isRegularFile();
        assertThat(home.resolve("lib/jars")).isDirectory();
        assertThat(home.resolve("lib/gcs-service/gcs-service.jar")).isRegularFile();
        assertThat(Files.isSymbolicLink(home.resolve("lib/worker").resolve(firstJar(home.resolve("lib/worker"))))).isTrue();

        String stingray = home.resolve("bin/stingray").toString();
        Path temp = Files.createTempDirectory("stingray-dist-run");
        Path elsewhere = Files.createTempDirectory("stingray-cwd");
        try {
            CliRun start = ExternalCommand.run(elsewhere, Map.of(), Duration.ofMinutes(4), List.of(stingray, "start", "--head", "--port=0",
                    "--temp-dir=" + temp, "--ray-client-server-port=0", "--dashboard-agent-listen-port=0", "--num-cpus=1"));
            assertThat(start.exitCode()).as(start.all()).isZero();
            assertThat(start.all()).contains("recording start-up archives");
            assertThat(home.resolve("lib/gcs-service/gcs-service.jsa")).isRegularFile();

            CliRun status = ExternalCommand.run(elsewhere, Map.of(), Duration.ofMinutes(1), List.of(stingray, "status", "--temp-dir=" + temp));
            assertThat(status.exitCode()).as(status.all()).isZero();
            assertThat(status.stdout()).contains("Active:").contains("1 node");
        } finally {
            CliRun stop = ExternalCommand.run(elsewhere, Map.of(), Duration.ofMinutes(1), List.of(stingray, "stop", "--temp-dir=" + temp));
            assertThat(stop.exitCode()).as(stop.all()).isZero();
        }
        assertThat(LocalClusterProcesses.commandLinesNaming(temp.toString())).isEmpty();
    }

    private static String firstJar(Path dir) throws java.io.IOException {
        try (var files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".jar")).sorted().findFirst().orElseThrow();
        }
    }
}
