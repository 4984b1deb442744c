package dev.stingray.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Warm workers on a real node: the raylet keeps one JVM per CPU started for no job; a job's first lease takes one
 * (its code loaded from the job's code search path by a job class loader) and a replacement starts; a job whose
 * workers need JVM options of their own gets workers started for it; warm workers end with their raylet.
 */
class WarmWorkersE2ETest {

    private static final Pattern HANDED = Pattern.compile("Handed warm worker [0-9a-f]+ \\(pid (\\d+)\\) to job ([0-9a-f]+)");

    private static String driver(String gcsAddress, String... jvmFlags) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "-Dray.address=" + gcsAddress,
                "-Dray.job.code-search-path=" + Path.of("target/test-classes").toAbsolutePath()));
        cmd.addAll(List.of(jvmFlags));
        cmd.add("dev.stingray.e2e.tasks.WorkerProbeDriver");
        Path out = Files.createTempFile("driver", ".out");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("driver finished").isTrue();
        String output = Files.readString(out);
        assertThat(p.exitValue()).as(output).isZero();
        return output;
    }

    private static String line(String output, String prefix) {
        return output.lines().filter(l -> l.startsWith(prefix)).map(l -> l.substring(prefix.length())).findFirst()
                .orElseThrow(() -> new AssertionError("no '" + prefix + "' line in\n" + output));
    }

    private static String rayletLog(StingrayNode node) throws Exception {
        return Files.readString(node.sessionDir().resolve("logs").resolve("raylet.out"), StandardCharsets.UTF_8);
    }

    @Test
    void aJobsTaskRunsOnAWarmWorkerAndAJobWithJvmOptionsGetsItsOwn() throws Exception {
        try (StingrayCliDriver cli = new StingrayCliDriver(Map.of())) {
            StingrayNode head = cli.startHead("--num-cpus=2");
            String address = StingrayCliDriver.gcsAddress(head);
            // One per CPU, before any job exists.
            await().atMost(Duration.ofSeconds(90)).until(() -> rayletLog(head).split("Warm worker .* ready", -1).length - 1 == 2);
            List<Long> warm = head.warmWorkers().stream().map(ProcessHandle::pid).toList();
            assertThat(warm).hasSize(2);

            String plain = driver(address);
            long taskPid = Long.parseLong(line(plain, "worker pid "));
            assertThat(warm).as("the task's worker was one of the warm ones").contains(taskPid);
            assertThat(line(plain, "marker ")).isEqualTo("''");
            Matcher handed = HANDED.matcher(rayletLog(head));
            assertThat(handed.find()).as("the raylet logs the hand-off").isTrue();
            assertThat(Long.parseLong(handed.group(1))).isEqualTo(taskPid);
            String jobHex = handed.group(2);
            assertThat(rayletLog(head)).containsPattern("registered \\d+ ms after its hand-off to job " + jobHex);
            // The handed-off worker writes its output under its job, as a worker started for the job does.
            assertThat(head.sessionDir().resolve("logs")).isDirectoryContaining(
                    "glob:**/worker-*-" + jobHex + "-" + taskPid + ".out");
            // It is replaced, so that the node has warm workers again.
            await().atMost(Duration.ofSeconds(90)).until(() -> head.warmWorkers().size() == 2
                    && head.warmWorkers().stream().noneMatch(p -> p.pid() == taskPid));

            // Workers that need JVM options of their own cannot be warm ones: the job's worker is started for it.
            List<Long> warmBefore = head.warmWorkers().stream().map(ProcessHandle::pid).toList();
            String withOptions = driver(address, "-Dray.job.jvm-options=-Dstingray.e2e.marker=42");
            assertThat(line(withOptions, "marker ")).isEqualTo("'42'");
            assertThat(warmBefore).doesNotContain(Long.parseLong(line(withOptions, "worker pid ")));
            assertThat(head.warmWorkers().stream().map(ProcessHandle::pid).toList()).containsExactlyInAnyOrderElementsOf(warmBefore);

            // Warm workers fate-share with their raylet: the end of their standard input ends them.
            assertThat(new ProcessBuilder("kill", "-9", Long.toString(head.pid("raylet"))).start().waitFor()).isZero();
            await().atMost(Duration.ofSeconds(30)).until(() -> warmBefore.stream().map(ProcessHandle::of)
                    .noneMatch(p -> p.map(dev.stingray.common.launch.DaemonStopper::running).orElse(false)));
        }
    }
}
