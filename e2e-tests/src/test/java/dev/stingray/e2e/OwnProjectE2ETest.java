package dev.stingray.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A Ray Java user's first contact (issue #10): the throwaway {@link UserProject} (a pom naming only ray-api and
 * stingray-runtime, a program compiled with javac), run with plain {@code java -cp <resolved class path>}: no address,
 * no environment variable, no checkout, no {@code build/lib}.
 * The same program then runs through {@code ray://} against a two-node cluster, its classes (in a directory no worker
 * has) shipped as a package, and a second run ships nothing again.
 */
class OwnProjectE2ETest {

    private static final Pattern FIGURE = Pattern.compile("FIGURE init_ms=(\\d+) first_task_ms=(\\d+) shutdown_ms=(\\d+)");

    static UserProject project;

    @BeforeAll
    static void writeAndCompileTheProject() {
        project = UserProject.writeAndCompile();
    }

    @Test
    void rayInitWithoutAnAddressStartsALocalClusterFromTheDependencyAlone() {
        List<Long> init = new ArrayList<>();
        List<Long> firstTask = new ArrayList<>();
        List<Long> shutdown = new ArrayList<>();
        // The first run may unpack the distribution (once per build); the figures are of the runs after it.
        for (int run = 0; run < 3; run++) {
            CliRun program = runProgram(List.of(), "full");
            assertThat(program.exitCode()).as(program.all()).isZero();
            assertThat(program.stdout()).contains("first task: 49").contains("sum of squares 0..9 = 285")
                    .contains("object of 3145728 bytes").contains("counter = 5").contains("placement group ready: true")
                    .contains("task in bundle: 9");
            assertThat(program.all()).doesNotContain("STINGRAY_LIB_DIR").contains("Started a local Stingray cluster");
            LocalClusterProcesses.assertAllGone(program);
            Matcher m = FIGURE.matcher(program.stdout());
            assertThat(m.find()).as(program.stdout()).isTrue();
            if (run > 0) {
                init.add(Long.parseLong(m.group(1)));
                firstTask.add(Long.parseLong(m.group(2)));
                shutdown.add(Long.parseLong(m.group(3)));
            }
        }
        System.out.printf("OWN PROJECT FIGURE: embedded default, median of %d: Ray.init() %d ms, first task %d ms, Ray.shutdown() %d ms%n",
                init.size(), median(init), median(firstTask), median(shutdown));
    }

    @Test
    void throughRayClientTheProgramsClassesAreShippedOnceAndRunOnBothNodes() {
        try (StingrayCliDriver cli = new StingrayCliDriver(Map.of())) {
            StingrayNode head = cli.startHead("--num-cpus=1", "--resources={\"head\":1}");
            StingrayNode worker = cli.startWorker(StingrayCliDriver.gcsAddress(head), "--num-cpus=1", "--resources={\"worker\":1}");
            String address = "-Dray.address=ray://127.0.0.1:" + head.port("ray_client_server_port").orElseThrow();

            CliRun first = runProgram(List.of(address), "nodes");
            assertThat(first.exitCode()).as(first.all()).isZero();
            assertThat(first.stdout()).contains("first task: 49").contains("sum of squares 0..9 = 285").contains("object of 3145728 bytes");
            assertThat(first.stdout()).contains("head task ran on " + head.nodeIdHex()).contains("worker task ran on " + worker.nodeIdHex());
            // Only the program's class directory is the job's own code: ray-api and Stingray's jars are not shipped.
            assertThat(first.stderr()).containsPattern("Ray Client: shipped the job's code to ray://\\S+: 1 package\\(s\\), [0-9.]+ MiB; uploaded 1 ");

            assertThat(first.stdout()).contains("worker actor counted 4 on " + worker.nodeIdHex());

            // The second run ships nothing and uses the rest of the API through ray://: an actor and a placement group.
            CliRun second = runProgram(List.of(address), "full");
            assertThat(second.exitCode()).as(second.all()).isZero();
            assertThat(second.stdout()).contains("counter = 5").contains("placement group ready: true").contains("task in bundle: 9");
            assertThat(second.stderr()).contains("1 package(s)").contains("uploaded 0 (0.0 MiB)");
        }
    }

    private static CliRun runProgram(List<String> jvmArgs, String mode) {
        return project.run(jvmArgs, mode);
    }

    private static long median(List<Long> values) {
        List<Long> sorted = values.stream().sorted().toList();
        return sorted.get(sorted.size() / 2);
    }

}
