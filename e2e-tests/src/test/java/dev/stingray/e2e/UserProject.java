package dev.stingray.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A Ray Java user's own project, written at test time into a temp dir outside the repository: a pom naming only
 * {@code io.ray:ray-api:2.9.3} and {@code dev.stingray:stingray-runtime} (resolved from the local repository
 * that {@code ./mvnw install} filled) and {@code demo.OwnProgram} (test resource {@code own-project/}), compiled with
 * {@code javac} into {@code classes/}, a directory no cluster image or worker has. {@link #run} starts it with plain
 * {@code java -cp classes:<resolved class path>}.
 */
final class UserProject {

    final Path dir;
    final String classPath;

    private UserProject(Path dir, String classPath) {
        this.dir = dir;
        this.classPath = classPath;
    }

    static UserProject writeAndCompile() {
        try {
            Path dir = Files.createTempDirectory("stingray-user-project");
            Path repositoryRoot = ExternalCommand.repositoryRoot();
            assertThat(dir.startsWith(repositoryRoot)).as("the project lives outside the repository").isFalse();
            String pom = resource("own-project/pom.xml")
                    .replace("@STINGRAY_VERSION@", System.getProperty("stingray.version"))
                    .replace("@DEPENDENCY_PLUGIN_VERSION@", System.getProperty("maven-dependency-plugin.version"));
            Files.writeString(dir.resolve("pom.xml"), pom);
            Path source = Files.createDirectories(dir.resolve("src/main/java/demo")).resolve("OwnProgram.java");
            Files.writeString(source, resource("own-project/OwnProgram.java"));

            CliRun resolve = ExternalCommand.run(dir, Map.of(), Duration.ofMinutes(3), List.of(repositoryRoot.resolve("mvnw").toString(),
                    "-B", "-q", "-f", dir.resolve("pom.xml").toString(), "dependency:build-classpath",
                    "-Dmdep.outputFile=" + dir.resolve("classpath.txt")));
            assertThat(resolve.exitCode()).as("resolving ray-api and stingray-runtime " + System.getProperty("stingray.version")
                    + " from the local repository (./mvnw install fills it; the README's test command runs it):\n" + resolve.all())
                    .isZero();
            String classPath = Files.readString(dir.resolve("classpath.txt")).strip();
            assertThat(classPath).contains("ray-api-2.9.3.jar").contains("stingray-runtime-").contains("stingray-distribution-")
                    .doesNotContain(repositoryRoot.toString());
            Path classes = Files.createDirectories(dir.resolve("classes"));
            ExternalCommand.ok(dir, Map.of(), Duration.ofMinutes(2), List.of(javaTool("javac"), "-d", classes.toString(),
                    "-cp", classPath, source.toString()));
            return new UserProject(dir, classPath);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs {@code demo.OwnProgram} with JVM arguments (e.g. {@code -Dray.address=...}) and program arguments. */
    CliRun run(List<String> jvmArgs, String... args) {
        List<String> command = new ArrayList<>(List.of(javaTool("java"), "-cp", dir.resolve("classes") + java.io.File.pathSeparator + classPath));
        command.addAll(jvmArgs);
        command.add("demo.OwnProgram");
        command.addAll(List.of(args));
        return ExternalCommand.run(dir, Map.of(), Duration.ofMinutes(4), command);
    }

    private static String javaTool(String name) {
        return Path.of(System.getProperty("java.home"), "bin", name).toString();
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = UserProject.class.getClassLoader().getResourceAsStream(name)) {
            assertThat(in).as(name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
