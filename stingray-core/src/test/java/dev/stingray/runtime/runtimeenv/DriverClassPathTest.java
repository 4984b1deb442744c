package dev.stingray.runtime.runtimeenv;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DriverClassPathTest {

    @TempDir
    Path dir;

    @Test
    void keepsTheProgramsOwnJarsAndDirectoriesInOrderAndDropsWhatWorkersHave() throws Exception {
        Path classes = Files.createDirectories(dir.resolve("classes"));
        Path app = Files.writeString(dir.resolve("app-1.0.jar"), "jar");
        Path guava = Files.writeString(dir.resolve("guava-33.6.0-android.jar"), "jar");
        Path rayApi = Files.writeString(dir.resolve("ray-api-2.9.3.jar"), "jar");
        Path core = Files.writeString(dir.resolve("stingray-core-0.1.0-SNAPSHOT.jar"), "jar");
        Path distribution = Files.writeString(dir.resolve("stingray-distribution-0.1.0-SNAPSHOT.jar"), "jar");
        Path jdk = Files.createDirectories(dir.resolve("jdk/lib"));
        Path jdkJar = Files.writeString(jdk.resolve("tools.jar"), "jar");

        List<Path> entries = DriverClassPath.userEntries(List.of(classes.toString(), "", app.toString(), guava.toString(), rayApi.toString(),
                core.toString(), distribution.toString(), jdkJar.toString(), dir.resolve("missing.jar").toString(), app.toString()),
                Set.of("guava-33.6.0-android.jar"), dir.resolve("jdk"));

        assertThat(entries).containsExactly(classes, app);
    }

    @Test
    void workerArtifactsAreRecognizedInAnyVersionAndOtherLoggingBindingsAreLeftOut() throws Exception {
        Path netty = Files.writeString(dir.resolve("netty-common-4.2.16.Final.jar"), "jar");
        Path epoll = Files.writeString(dir.resolve("netty-transport-native-epoll-4.2.16.Final-linux-x86_64.jar"), "jar");
        Path binding = Files.writeString(dir.resolve("log4j-slf4j-impl-2.17.1.jar"), "jar");
        Path nettyLookalike = Files.writeString(dir.resolve("netty-common-extras-1.0.jar"), "jar");
        Path logback = Files.writeString(dir.resolve("logback-classic-1.5.18.jar"), "jar");
        Path bridge = Files.writeString(dir.resolve("log4j-to-slf4j-2.24.3.jar"), "jar");
        assertThat(DriverClassPath.userEntries(List.of(netty.toString(), epoll.toString(), binding.toString(), nettyLookalike.toString(),
                logback.toString(), bridge.toString()),
                Set.of("netty-common-4.2.18.Final.jar", "netty-transport-native-epoll-4.2.18.Final-linux-x86_64.jar"), dir.resolve("jdk")))
                .containsExactly(nettyLookalike);
        assertThat(DriverClassPath.artifactName("listenablefuture-9999.0-empty-to-avoid-conflict-with-guava.jar")).isEqualTo("listenablefuture");
        assertThat(DriverClassPath.artifactName("log4j-slf4j2-impl-2.25.5.jar")).isEqualTo("log4j-slf4j2-impl");
    }

    @Test
    void aJarNamedLikeAWorkerJarOnlyGoesWhenTheWorkersDoNotHaveIt() throws Exception {
        Path common = Files.writeString(dir.resolve("common-1.0.jar"), "jar");
        assertThat(DriverClassPath.userEntries(List.of(common.toString()), Set.of(), dir.resolve("jdk"))).containsExactly(common);
        assertThat(DriverClassPath.userEntries(List.of(common.toString()), Set.of("common-1.0.jar"), dir.resolve("jdk"))).isEmpty();
    }
}
