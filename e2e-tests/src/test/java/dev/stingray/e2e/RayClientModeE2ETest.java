package dev.stingray.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stingray.common.gcs.GcsClient;
import io.ray.api.ObjectRef;
import io.ray.api.Ray;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link RayApiSuite} run in Ray Client mode ({@code ray.address=ray://127.0.0.1:<client port>}): every
 * call goes through the Ray Client server of the cluster, which hosts this client's driver and job.
 */
class RayClientModeE2ETest extends RayApiSuite {

    @BeforeAll
    static void start() {
        startClusterAndDriver(head -> "ray://127.0.0.1:" + head.port("ray_client_server_port").orElseThrow());
    }

    @Test
    void theRuntimeIsAClient() {
        assertThat(Ray.internal().getClass().getName()).isEqualTo("dev.stingray.runtime.client.ClientRuntime");
        assertThat(Ray.put(1).getClass().getName()).isEqualTo("dev.stingray.runtime.client.ClientObjectRef");
    }

    @Test
    void aFreedObjectIsNoLongerHeldBySession() {
        ObjectRef<String> ref = Ray.put("soon gone");
        Ray.internal().free(List.of(ref), false);
        assertThatThrownBy(() -> Ray.get(ref)).hasMessageContaining("is not held by the session");
    }

    @Test
    void theJobIsRecordedInTheGcsWithTheClientsNamespace() {
        byte[] jobId = Ray.getRuntimeContext().getCurrentJobId().getBytes();
        try (GcsClient gcs = new GcsClient(gcsAddress, Duration.ofSeconds(5))) {
            assertThat(gcs.getAllJobInfo()).anySatisfy(j -> {
                assertThat(j.getJobId().toByteArray()).isEqualTo(jobId);
                assertThat(j.getIsDead()).isFalse();
                assertThat(j.getConfig().getRayNamespace()).isEqualTo(Ray.getRuntimeContext().getNamespace());
                assertThat(j.getEntrypoint()).startsWith("ray client ");
            });
        }
    }
}
