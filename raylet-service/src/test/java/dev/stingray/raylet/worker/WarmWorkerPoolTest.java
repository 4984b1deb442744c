package dev.stingray.raylet.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import dev.stingray.proto.TaskSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pool's warm workers with real processes: a stand-in {@code dev.stingray.worker.WorkerMain} (compiled here into
 * the worker lib dir) writes what it reads on standard input to {@code <session>/assigned-<pid>} and waits; the test
 * plays the worker's announcements ({@code register(id, 0)}) and registrations as the raylet's gRPC handler would.
 */
class WarmWorkerPoolTest {

    private static final ByteString JOB = ByteString.copyFrom(new byte[] {2, 0, 0, 0});

    @TempDir
    Path temp;

    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final List<WorkerProcess> deaths = new CopyOnWriteArrayList<>();
    private WorkerPool pool;
    private Path session;

    @BeforeEach
    void startPool() throws Exception {
        Path lib = temp.resolve("lib");
        Path classes = temp.resolve("classes");
        Path src = Files.createDirectories(temp.resolve("src")).resolve("WorkerMain.java");
        Files.writeString(src, """
                package dev.stingray.worker;
                public final class WorkerMain {
                    public static void main(String[] args) throws Exception {
                        byte[] assignment = System.in.readAllBytes();
                        java.nio.file.Files.write(java.nio.file.Path.of(System.getProperty("ray.worker.session-dir"),
                                "assigned-" + ProcessHandle.current().pid()), assignment);
                        new java.util.concurrent.CountDownLatch(1).await(60, java.util.concurrent.TimeUnit.SECONDS);
                    }
                }
                """);
        Files.createDirectories(classes);
        assertThat(ToolProvider.getSystemJavaCompiler().run(null, null, null, "-d", classes.toString(), src.toString())).isZero();
        Files.createDirectories(lib);
        try (JarOutputStream jar = new JarOutputStream(Files.newOutputStream(lib.resolve("fake-worker.jar")))) {
            jar.putNextEntry(new JarEntry("dev/stingray/worker/WorkerMain.class"));
            Files.copy(classes.resolve("dev/stingray/worker/WorkerMain.class"), jar);
            jar.closeEntry();
        }
        session = Files.createDirectories(temp.resolve("session"));
        pool = new WorkerPool(() -> new WorkerPool.NodeContext("ab".repeat(28), "127.0.0.1", "127.0.0.1:1", "127.0.0.1:2", session, lib,
                List.of("-Xshare:off")), scheduler, Duration.ofSeconds(60), Duration.ofSeconds(30), 2,
                new RuntimeEnvPackages(null, () -> session), deaths::add);
    }

    @AfterEach
    void stop() {
        pool.stop();
        scheduler.shutdownNow();
    }

    private List<WorkerProcess> awaiting() {
        return pool.workersForTest().stream().filter(WorkerProcess::awaitsJob).toList();
    }

    private static TaskSpec lease(String... jobJvmOptions) {
        return TaskSpec.newBuilder().setJobId(JOB).setRayNamespace("ns").addCodeSearchPath("/opt/app/classes")
                .addAllJobJvmOptions(List.of(jobJvmOptions)).build();
    }

    @Test
    void warmWorkersStartOneAtATimeAndALeaseTakesTheOneThatIsReady() throws Exception {
        pool.keepWarm(2);
        assertThat(awaiting()).as("the second starts once the first is warm").hasSize(1);
        WorkerProcess first = awaiting().get(0);
        pool.register(first.workerId(), 0);
        await().atMost(Duration.ofSeconds(10)).until(() -> awaiting().size() == 2);
        WorkerProcess second = awaiting().stream().filter(w -> w != first).findFirst().orElseThrow();

        // The second is still starting: the lease gets the warm one even though both wait for a job.
        Optional<WorkerProcess> handed = pool.handOffWarm(lease(), "");
        assertThat(handed).containsSame(first);
        assertThat(first.jobId()).isEqualTo(JOB);
        assertThat(first.awaitsJob()).isFalse();
        Path assigned = session.resolve("assigned-" + first.process().pid());
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(assigned) && Files.size(assigned) > 0);
        var assignment = dev.stingray.common.worker.WorkerAssignment.readFrom(Files.newInputStream(assigned)).orElseThrow();
        assertThat(assignment.jobIdHex()).isEqualTo("02000000");
        assertThat(assignment.namespace()).isEqualTo("ns");
        assertThat(assignment.classPath()).containsExactly("/opt/app/classes");

        // It registers for the job; its replacement waits while the second is still starting (one at a time).
        pool.register(first.workerId(), 4321);
        assertThat(first.registered().get().getPort()).isEqualTo(4321);
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> awaiting().equals(List.of(second)));
        pool.register(second.workerId(), 0);
        await().atMost(Duration.ofSeconds(10)).until(() -> awaiting().size() == 2);
    }

    @Test
    void aJobWithJvmOptionsOrAnEnvWithVariablesTakesNoWarmWorker() {
        pool.keepWarm(1);
        WorkerProcess warm = awaiting().get(0);
        pool.register(warm.workerId(), 0);

        assertThat(pool.handOffWarm(lease("-Xmx2g"), "")).isEmpty();
        assertThat(pool.handOffWarm(lease(), "{\"env_vars\":{\"A\":\"1\"}}")).isEmpty();
        assertThat(pool.handOffWarm(lease(), "{\"jvm_options\":[\"-Dx=1\"]}")).isEmpty();
        assertThat(awaiting()).containsExactly(warm);
    }

    @Test
    void aWarmWorkerThatDiesBeforeItsHandOffIsNotReplacedNorReported() throws Exception {
        pool.keepWarm(1);
        WorkerProcess warm = awaiting().get(0);
        pool.register(warm.workerId(), 0);
        warm.process().destroyForcibly().waitFor();

        await().atMost(Duration.ofSeconds(10)).until(() -> pool.size() == 0);
        // And stays so: no replacement.
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(() -> pool.size() == 0);
        assertThat(deaths).as("no job, no lease: nothing to report to the GCS").isEmpty();
        assertThat(pool.handOffWarm(lease(), "")).isEmpty();
    }
}
