package dev.stingray.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.stingray.common.gcs.GcsClient;
import dev.stingray.proto.JobTableData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The job table follows real driver processes: {@code Ray.shutdown()} marks the job finished, and so
 * does a driver killed with {@code kill -9}; the finished job's workers are stopped.
 */
class JobLifecycleE2ETest {

    private static Process driver(String gcsAddress, String mode, Path output) throws Exception {
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "-Dray.address=" + gcsAddress,
                "-Dray.job.code-search-path=" + Path.of("target/test-classes").toAbsolutePath(),
                "dev.stingray.e2e.tasks.SleepingDriver", mode);
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(output.toFile()).start();
    }

    private static Optional<JobTableData> jobOf(GcsClient gcs, long driverPid) {
        return gcs.getAllJobInfo().stream().filter(j -> j.getDriverPid() == driverPid).findFirst();
    }

    @Test
    void jobsFinishOnShutdownAndWhenTheirDriverDies() throws Exception {
        try (StingrayCliDriver cli = new StingrayCliDriver(StingrayCliDriver.FAST_HEALTH_CHECKS)) {
            StingrayNode head = cli.startHead("--num-cpus=2");
            String address = StingrayCliDriver.gcsAddress(head);
            try (GcsClient gcs = new GcsClient(address, Duration.ofSeconds(5))) {
                Path out = Files.createTempFile("driver", ".out");
                Process polite = driver(address, "exit", out);
                assertThat(polite.waitFor(120, TimeUnit.SECONDS)).as(Files.readString(out)).isTrue();
                assertThat(polite.exitValue()).as(Files.readString(out)).isZero();
                assertThat(Files.readString(out)).contains("task says ready");
                assertThat(jobOf(gcs, polite.pid())).get().satisfies(j -> assertThat(j.getIsDead()).isTrue());

                Path out2 = Files.createTempFile("driver", ".out");
                Process doomed = driver(address, "sleep", out2);
                await().atMost(Duration.ofSeconds(120)).until(() -> Files.readString(out2).contains("task says ready"));
                JobTableData running = jobOf(gcs, doomed.pid()).orElseThrow();
                assertThat(running.getIsDead()).isFalse();
                String jobHex = new dev.stingray.common.id.JobId(running.getJobId()).hex();
                assertThat(head.workersOf(jobHex)).isNotEmpty();

                assertThat(new ProcessBuilder("kill", "-9", Long.toString(doomed.pid())).start().waitFor()).isZero();
                await().atMost(Duration.ofSeconds(30)).until(() -> jobOf(gcs, doomed.pid()).map(JobTableData::getIsDead).orElse(false));
                await().atMost(Duration.ofSeconds(30)).until(() -> head.workersOf(jobHex).isEmpty());
            }
        }
    }
}
