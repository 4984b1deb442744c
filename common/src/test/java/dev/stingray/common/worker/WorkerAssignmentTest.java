package dev.stingray.common.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class WorkerAssignmentTest {

    private static WorkerAssignment roundTrip(WorkerAssignment a) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        a.writeTo(out);
        return WorkerAssignment.readFrom(new ByteArrayInputStream(out.toByteArray())).orElseThrow();
    }

    @Test
    void survivesTheTripThroughAStreamWithPackageUrisPathsAndUnicodeIntact() throws Exception {
        WorkerAssignment a = new WorkerAssignment("02000000", "ns-é", List.of("gcs://_stingray_pkg_ab12.zip", "/home/u/my app/classes"),
                List.of("/tmp/s/runtime_resources/java_jars/_stingray_pkg_ab12", "/tmp/s/runtime_resources/java_jars/_stingray_pkg_ab12/*",
                        "/home/u/my app/classes"),
                "{\"java_jars\":[\"gcs://_stingray_pkg_cd34.zip\"]}");

        assertThat(roundTrip(a)).isEqualTo(a);
    }

    @Test
    void givesTheSystemPropertiesOfAWorkerStartedForTheJob() {
        WorkerAssignment a = new WorkerAssignment("02000000", "prod", List.of("gcs://_stingray_pkg_ab12.zip", "/opt/app.jar"),
                List.of("/x"), "{\"java_jars\":[\"/opt/lib.jar\"]}");

        assertThat(a.systemProperties()).containsEntry("ray.worker.job-id", "02000000")
                .containsEntry("ray.job.code-search-path", "gcs://_stingray_pkg_ab12.zip:/opt/app.jar")
                .containsEntry("ray.job.namespace", "prod")
                .containsEntry("ray.worker.runtime-env", "{\"java_jars\":[\"/opt/lib.jar\"]}");
        // No namespace and no env: the worker runs with none, as one started for such a job.
        assertThat(new WorkerAssignment("03000000", "", List.of(), List.of(), "").systemProperties())
                .containsOnlyKeys("ray.worker.job-id", "ray.job.code-search-path");
    }

    @Test
    void anEmptyStreamIsNoAssignmentAndGarbageIsAnError() throws Exception {
        assertThat(WorkerAssignment.readFrom(new ByteArrayInputStream(new byte[0]))).isEmpty();
        assertThatThrownBy(() -> WorkerAssignment.readFrom(new ByteArrayInputStream("hello=world\n".getBytes(StandardCharsets.UTF_8))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no job-id").hasMessageContaining("hello=world");
    }

    @Test
    void rejectsAJobIdThatIsNotHex() {
        assertThatThrownBy(() -> new WorkerAssignment("job-2", "", List.of(), List.of(), ""))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'job-2'");
    }
}
