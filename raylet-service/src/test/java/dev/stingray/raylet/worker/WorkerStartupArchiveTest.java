package dev.stingray.raylet.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkerStartupArchiveTest {

    @TempDir
    Path lib;

    @Test
    void aRebuiltJarGivesTheArchiveAnotherNameSoAStaleOneIsNeverUsed() throws Exception {
        Files.writeString(lib.resolve("a.jar"), "one");
        Files.writeString(lib.resolve("worker-notes.txt"), "not a jar");
        WorkerStartupArchive before = WorkerStartupArchive.of(lib);
        assertThat(WorkerStartupArchive.of(lib).file()).isEqualTo(before.file());

        Files.writeString(lib.resolve("a.jar"), "two!");
        Files.setLastModifiedTime(lib.resolve("a.jar"), FileTime.fromMillis(1_000_000));

        assertThat(WorkerStartupArchive.of(lib).file()).isNotEqualTo(before.file());
        assertThat(before.file().getFileName().toString()).matches("worker-[0-9a-f]{12}\\.(jsa|aot)");
    }

    @Test
    void aRecordingIsInstalledOnlyWhenTheRunWroteOne() throws Exception {
        Files.writeString(lib.resolve("a.jar"), "one");
        WorkerStartupArchive archive = WorkerStartupArchive.of(lib);
        assertThat(archive.install()).isFalse();
        assertThat(archive.exists()).isFalse();
        assertThat(archive.recordFlag()).endsWith(archive.recordingFile().toString());

        Files.writeString(archive.recordingFile(), "archive");

        assertThat(archive.install()).isTrue();
        assertThat(archive.exists()).isTrue();
        assertThat(archive.jvmFlags()).isNotEmpty();
    }
}
