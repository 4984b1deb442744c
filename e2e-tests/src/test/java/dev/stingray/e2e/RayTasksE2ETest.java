package dev.stingray.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stingray.common.gcs.GcsClient;
import io.ray.api.Ray;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@link RayApiSuite} run by an in-cluster driver ({@code ray.address=<gcs host:port>}). */
class RayTasksE2ETest extends RayApiSuite {

    @BeforeAll
    static void start() {
        startClusterAndDriver(StingrayCliDriver::gcsAddress);
    }

    @Test
    void theRuntimeIsTheInClusterOne() {
        assertThat(Ray.internal().getClass().getName()).isEqualTo("dev.stingray.runtime.StingrayRuntime");
    }

    @Test
    void theJobIsRecordedInTheGcsWithTheDriversPid() {
        try (GcsClient gcs = new GcsClient(gcsAddress, Duration.ofSeconds(5))) {
            assertThat(gcs.getAllJobInfo()).anySatisfy(j -> {
                assertThat(j.getDriverPid()).isEqualTo(ProcessHandle.current().pid());
                assertThat(j.getIsDead()).isFalse();
            });
        }
    }
}
