package dev.stingray.common.launch;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StartupArchiveTest {

    @TempDir
    Path dir;

    @Test
    void theRunningJdkPicksTheAotCacheFrom25AndTheCdsArchiveBefore() {
        StartupArchive archive = StartupArchive.of(dir, "gcs-service");

        String expected = Runtime.version().feature() >= 25 ? "gcs-service.aot" : "gcs-service.jsa";
        assertThat(archive.file().getFileName()).hasToString(expected);
        assertThat(StartupArchive.usesAotCache()).isEqualTo(Runtime.version().feature() >= 25);
    }

    @Test
    void noFlagsUntilTheArchiveIsRecordedThenTheFlagsOfItsKind() throws Exception {
        StartupArchive archive = StartupArchive.of(dir, "raylet-service");
        assertThat(archive.exists()).isFalse();
        assertThat(archive.jvmFlags()).isEmpty();

        Files.writeString(archive.file(), "recorded");

        assertThat(archive.jvmFlags().get(0)).isEqualTo((StartupArchive.usesAotCache() ? "-XX:AOTCache=" : "-XX:SharedArchiveFile=")
                + archive.file());
        assertThat(new StartupArchive(dir.resolve("x.jsa")).jvmFlags()).isEmpty();
        Files.writeString(dir.resolve("x.aot"), "");
        assertThat(new StartupArchive(dir.resolve("x.aot")).jvmFlags()).first().asString().startsWith("-XX:AOTCache=");
    }
}
