package dev.stingray.gcs.runtimeenv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.stingray.gcs.kv.GcsInternalKvManager;
import dev.stingray.gcs.store.InMemoryStoreClient;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class GcsRuntimeEnvManagerTest {

    private static final String PKG = "gcs://_stingray_pkg_0123.zip";
    private static final String ENV = "{\"java_jars\":[\"" + PKG + "\"]}";

    private final GcsInternalKvManager kv = new GcsInternalKvManager(new InMemoryStoreClient(), 1 << 20);
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final GcsRuntimeEnvManager manager = new GcsRuntimeEnvManager(kv, timer);

    @AfterEach
    void stop() {
        timer.shutdownNow();
    }

    @Test
    void aPackageIsDeletedWhenItsLastHolderGoes() {
        kv.putString("", PKG, "zip bytes", true);
        manager.addReferences("job:01000000", ENV, List.of());
        manager.addReferences("actor:ab", ENV, List.of());
        manager.addReferences("job:01000000", ENV, List.of());
        assertThat(manager.referenceCount(PKG)).isEqualTo(2);

        manager.removeReferences("job:01000000");
        assertThat(kv.getString("", PKG)).isPresent();
        manager.removeReferences("actor:ab");
        assertThat(kv.getString("", PKG)).isEmpty();
        assertThat(manager.referenceCount(PKG)).isZero();
    }

    @Test
    void theShippedCodeOfAJobIsHeldLikeItsJars() {
        String code = "gcs://_stingray_pkg_c0de.zip";
        kv.putString("", code, "classes", true);
        kv.putString("", PKG, "zip bytes", true);
        manager.addReferences("job:05000000", ENV, List.of(code, "/opt/app/classes", PKG));
        assertThat(manager.referenceCount(code)).isEqualTo(1);
        assertThat(manager.referenceCount(PKG)).isEqualTo(1);

        manager.removeReferences("job:05000000");
        assertThat(kv.getString("", code)).isEmpty();
        assertThat(kv.getString("", PKG)).isEmpty();
    }

    @Test
    void aTemporaryPinKeepsAPackageUntilItExpires() {
        kv.putString("", PKG, "zip bytes", true);
        manager.handlePinRuntimeEnvUri(PKG, 1);
        manager.addReferences("job:02000000", ENV, List.of());
        manager.removeReferences("job:02000000");
        assertThat(kv.getString("", PKG)).isPresent();
        await().atMost(Duration.ofSeconds(10)).until(() -> kv.getString("", PKG).isEmpty());
    }

    @Test
    void envsWithoutPackagesAndBadPinsChangeNothing() {
        manager.addReferences("job:03000000", "{\"env_vars\":{\"A\":\"1\"}}", List.of());
        manager.addReferences("job:04000000", "not json", List.of());
        assertThat(manager.referenceCount(PKG)).isZero();
        assertThatThrownBy(() -> manager.handlePinRuntimeEnvUri("gcs://other.zip", 10)).hasMessageContaining("gcs://other.zip");
        assertThatThrownBy(() -> manager.handlePinRuntimeEnvUri(PKG, -1)).hasMessageContaining("-1");
    }
}
