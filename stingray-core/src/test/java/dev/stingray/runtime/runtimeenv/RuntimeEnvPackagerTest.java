package dev.stingray.runtime.runtimeenv;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RuntimeEnvPackagerTest {

    /** A package store in memory that records what was pinned and put. */
    static final class TestingPackageStore implements PackageStore {
        final Map<String, ByteString> packages = new HashMap<>();
        final Map<String, Integer> pins = new HashMap<>();
        int puts;

        @Override
        public void pin(String uri, int seconds) {
            pins.merge(uri, 1, Integer::sum);
        }

        @Override
        public boolean exists(String uri) {
            return packages.containsKey(uri);
        }

        @Override
        public void put(String uri, ByteString zip) {
            puts++;
            packages.putIfAbsent(uri, zip);
        }
    }

    @TempDir
    Path dir;

    @Test
    void shipsEachEntryOnceAndAnUnchangedProgramUploadsNothingTheNextTime() throws Exception {
        Path classes = Files.createDirectories(dir.resolve("classes/org/example"));
        Files.writeString(classes.resolve("Main.class"), "bytecode");
        Path jar = Files.writeString(dir.resolve("lib-1.0.jar"), "a jar's bytes");
        TestingPackageStore store = new TestingPackageStore();

        RuntimeEnvPackager.Shipped first = new RuntimeEnvPackager(store).ship(List.of(dir.resolve("classes"), jar));

        assertThat(first.uris()).hasSize(2).allMatch(u -> u.startsWith("gcs://_stingray_pkg_") && u.endsWith(".zip"));
        assertThat(first.uploadedPackages()).isEqualTo(2);
        assertThat(first.uploadedBytes()).isEqualTo(first.totalBytes()).isPositive();
        assertThat(store.packages).containsOnlyKeys(first.uris());
        assertThat(store.pins).containsOnlyKeys(first.uris());

        // A second run (a new process: a new packager) finds the same content-addressed packages.
        RuntimeEnvPackager.Shipped second = new RuntimeEnvPackager(store).ship(List.of(dir.resolve("classes"), jar));
        assertThat(second.uris()).isEqualTo(first.uris());
        assertThat(second.uploadedPackages()).isZero();
        assertThat(second.uploadedBytes()).isZero();
        assertThat(store.puts).isEqualTo(2);
        assertThat(second.describe()).contains("2 package(s)").contains("uploaded 0");
    }

    @Test
    void changedCodeIsANewPackage() throws Exception {
        Path jar = Files.writeString(dir.resolve("app.jar"), "version 1");
        TestingPackageStore store = new TestingPackageStore();
        String before = new RuntimeEnvPackager(store).ship(List.of(jar)).uris().get(0);
        Files.writeString(jar, "version 2");
        RuntimeEnvPackager.Shipped after = new RuntimeEnvPackager(store).ship(List.of(jar));
        assertThat(after.uris().get(0)).isNotEqualTo(before);
        assertThat(after.uploadedPackages()).isEqualTo(1);
    }
}
