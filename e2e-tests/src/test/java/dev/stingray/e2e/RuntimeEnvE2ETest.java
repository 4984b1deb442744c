package dev.stingray.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.stingray.common.runtimeenv.RuntimeEnvSpec;
import dev.stingray.e2e.runtimeenv.RuntimeEnvDriver;
import dev.stingray.e2e.runtimeenv.RuntimeEnvTasks;
import dev.stingray.proto.JobTableData;
import io.ray.api.ActorHandle;
import io.ray.api.Ray;
import io.ray.api.runtimeenv.RuntimeEnv;
import io.ray.api.runtimeenv.types.RuntimeEnvName;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Runtime environments on a real cluster started by the CLI: env vars and JVM options reach the task's
 * worker, workers are not shared between envs, a jar that is on no class path of the driver is uploaded
 * to the GCS's KV and used by a task, and a job's package is deleted from the KV after the job finishes.
 */
class RuntimeEnvE2ETest {

    private static DriverCluster cluster;
    private static Path temp;

    @BeforeAll
    static void start() throws Exception {
        temp = Files.createTempDirectory("runtime-env-e2e");
        cluster = DriverCluster.start();
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static RuntimeEnv envVar(String name, String value) {
        RuntimeEnv env = new RuntimeEnv.Builder().build();
        env.set(RuntimeEnvName.ENV_VARS, Map.of(name, value));
        return env;
    }

    @Test
    void envVarsAndJvmOptionsReachTheWorkerAndWorkersAreNotSharedAcrossEnvs() {
        RuntimeEnv blue = envVar("STINGRAY_COLOR", "blue");
        RuntimeEnv red = envVar("STINGRAY_COLOR", "red");
        for (int round = 0; round < 2; round++) {
            assertThat(Ray.task(RuntimeEnvTasks::env, "STINGRAY_COLOR").setRuntimeEnv(blue).remote().get()).isEqualTo("blue");
            assertThat(Ray.task(RuntimeEnvTasks::env, "STINGRAY_COLOR").setRuntimeEnv(red).remote().get()).isEqualTo("red");
            assertThat(Ray.task(RuntimeEnvTasks::env, "STINGRAY_COLOR").remote().get()).isNull();
        }
        long bluePid = Ray.task(RuntimeEnvTasks::pid).setRuntimeEnv(blue).remote().get();
        long redPid = Ray.task(RuntimeEnvTasks::pid).setRuntimeEnv(red).remote().get();
        assertThat(bluePid).isNotEqualTo(redPid);

        RuntimeEnv mint = new RuntimeEnv.Builder().build();
        mint.set(RuntimeEnvSpec.JVM_OPTIONS, List.of("-Dstingray.flavor=mint"));
        assertThat(Ray.task(RuntimeEnvTasks::property, "stingray.flavor").setRuntimeEnv(mint).remote().get()).isEqualTo("mint");

        ActorHandle<RuntimeEnvTasks.EnvReader> reader = Ray.actor(RuntimeEnvTasks.EnvReader::new).setRuntimeEnv(blue).remote();
        assertThat(reader.task(RuntimeEnvTasks.EnvReader::read, "STINGRAY_COLOR").remote().get()).isEqualTo("blue");
        reader.kill();
    }

    @Test
    void anUnsupportedFieldIsRejectedWhenTheTaskIsSubmitted() {
        RuntimeEnv pip = new RuntimeEnv.Builder().build();
        pip.set("pip", List.of("requests"));
        assertThatThrownBy(() -> Ray.task(RuntimeEnvTasks::pid).setRuntimeEnv(pip).remote()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Unsupported runtime_env field 'pip'");
        RuntimeEnv missing = new RuntimeEnv.Builder().build();
        missing.set(RuntimeEnvName.JARS, List.of(temp.resolve("no-such.jar").toString()));
        assertThatThrownBy(() -> Ray.task(RuntimeEnvTasks::pid).setRuntimeEnv(missing).remote()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no-such.jar").hasMessageContaining("does not exist");
    }

    @Test
    void aJarOnNoClassPathOfTheDriverIsUploadedAndUsedByATask() throws Exception {
        Path jar = HiddenJar.build(Files.createDirectories(temp.resolve("greeter")), "Greeter", "hello");
        assertThatThrownBy(() -> Class.forName("hidden.Greeter")).isInstanceOf(ClassNotFoundException.class);

        RuntimeEnv env = new RuntimeEnv.Builder().build();
        env.set(RuntimeEnvName.JARS, List.of(jar.toString()));
        assertThat(Ray.task(RuntimeEnvTasks::callHidden, "hidden.Greeter", "ray").setRuntimeEnv(env).remote().get()).isEqualTo("hello ray");
        // Without the env the class is missing on the worker too.
        assertThatThrownBy(() -> Ray.task(RuntimeEnvTasks::callHidden, "hidden.Greeter", "ray").remote().get())
                .hasMessageContaining("hidden.Greeter");
        assertThat(cluster.gcs.kvKeys("", RuntimeEnvSpec.PACKAGE_URI_PREFIX)).isNotEmpty();
        // The node fetched it from the KV into its cache, where the worker's class path points.
        try (var cached = Files.list(cluster.head.sessionDir().resolve("runtime_resources/java_jars"))) {
            assertThat(cached.map(p -> p.getFileName().toString())).anyMatch(n -> n.startsWith("_stingray_pkg_"));
        }
    }

    @Test
    void aJobsPackageIsDeletedFromTheKvAfterTheJobFinishes() throws Exception {
        Path jar = HiddenJar.build(Files.createDirectories(temp.resolve("farewell")), "Farewell", "goodbye");
        String jobEnv = "{\"java_jars\":[\"" + jar + "\"]}";
        assertThat(SecondDriver.run(cluster.gcsAddress, List.of("-Dray.job.runtime-env=" + jobEnv,
                "-Dray.runtime-env.temporary-reference-expiration-s=1"), RuntimeEnvDriver.class, "hidden.Farewell", "job"))
                .contains("answer=goodbye job");

        JobTableData job = cluster.gcs.getAllJobInfo().stream().filter(j -> j.getConfig().getSerializedRuntimeEnv().contains("_stingray_pkg_"))
                .reduce((first, second) -> second).orElseThrow();
        assertThat(job.getIsDead()).isTrue();
        String uri = RuntimeEnvSpec.parse(job.getConfig().getSerializedRuntimeEnv()).packageUris().get(0);
        await().atMost(Duration.ofSeconds(30)).until(() -> !cluster.gcs.kvExists("", uri));
    }
}
