package dev.stingray.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How commands find the cluster: {@code --address}, else {@code stingray_current_cluster}. */
class ClusterAddressTest {

    @TempDir
    Path temp;

    @Test
    void explicitAddressWinsOverTheCurrentClusterFile() throws Exception {
        Files.writeString(temp.resolve("stingray_current_cluster"), "10.0.0.1:6379");

        assertThat(ClusterAddress.resolve("10.0.0.9:7000", temp)).isEqualTo("10.0.0.9:7000");
    }

    @Test
    void explicitAddressIsValidated() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> ClusterAddress.resolve("10.0.0.9", temp))
                .withMessageContaining("'10.0.0.9'");
    }

    @Test
    void readsTheCurrentClusterFile() throws Exception {
        Files.writeString(temp.resolve("stingray_current_cluster"), "10.0.0.1:6379\n");

        assertThat(ClusterAddress.resolve(null, temp)).isEqualTo("10.0.0.1:6379");
        assertThat(ClusterAddress.resolve(" ", temp)).isEqualTo("10.0.0.1:6379");
    }

    @Test
    void missingCurrentClusterFileTellsHowToStartOne() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> ClusterAddress.resolve(null, temp))
                .withMessageContaining(temp.resolve("stingray_current_cluster").toString())
                .withMessageContaining("--address=HOST:PORT")
                .withMessageContaining("stingray start --head");
    }

    @Test
    void emptyCurrentClusterFileAsksForAnAddress() throws Exception {
        Files.writeString(temp.resolve("stingray_current_cluster"), "  \n");

        assertThatIllegalArgumentException()
                .isThrownBy(() -> ClusterAddress.resolve(null, temp))
                .withMessageContaining("is empty")
                .withMessageContaining("--address=HOST:PORT");
    }
}
