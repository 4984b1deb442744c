package dev.stingray.runtime.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobClassLoaderTest {

    @TempDir
    Path temp;

    /** Compiles {@code demo.<name>} (whose toString says its name) into {@code out}. */
    private Path compile(String name, Path out) throws Exception {
        return compile(name, name, out);
    }

    /** Compiles {@code demo.<name>} whose toString says {@code says} into {@code out}. */
    private Path compile(String name, String says, Path out) throws Exception {
        Path src = Files.createTempDirectory(temp, "src").resolve(name + ".java");
        Files.writeString(src, "package demo; public class " + name + " { public String toString() { return \"" + says + "\"; } }");
        Files.createDirectories(out);
        int rc = ToolProvider.getSystemJavaCompiler().run(null, null, null, "-d", out.toString(), src.toString());
        assertThat(rc).as("javac").isZero();
        return out;
    }

    private Path jar(Path classes, Path jar) throws Exception {
        Files.createDirectories(jar.getParent());
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar)); var files = Files.walk(classes)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                out.putNextEntry(new JarEntry(classes.relativize(f).toString().replace('\\', '/')));
                Files.copy(f, out);
                out.closeEntry();
            }
        }
        return jar;
    }

    @Test
    void loadsTheJobsClassesFromDirectoriesAndFromTheJarsOfADirStarEntry() throws Exception {
        Path classes = compile("InDir", temp.resolve("classes"));
        jar(compile("InJar", temp.resolve("jar-classes")), temp.resolve("lib").resolve("app.jar"));

        try (JobClassLoader loader = JobClassLoader.of(List.of(classes.toString(), temp.resolve("lib") + "/*"), getClass().getClassLoader())) {
            Class<?> inDir = loader.loadClass("demo.InDir");
            Class<?> inJar = loader.loadClass("demo.InJar");
            assertThat(inDir.getClassLoader()).isSameAs(loader);
            assertThat(inJar.getClassLoader()).isSameAs(loader);
            assertThat(inJar.getDeclaredConstructor().newInstance()).hasToString("InJar");
            assertThat(loader.entries()).containsExactly(classes.toString(), temp.resolve("lib") + "/*");
        }
        assertThatThrownBy(() -> getClass().getClassLoader().loadClass("demo.InDir")).isInstanceOf(ClassNotFoundException.class);
    }

    @Test
    void aJarNamedDirectlyIsReadAndMissingEntriesAreSkippedAsJavaDoes() throws Exception {
        Path jar = jar(compile("Named", temp.resolve("named-classes")), temp.resolve("named.jar"));

        try (JobClassLoader loader = JobClassLoader.of(List.of("/no/such/dir", "/no/such/dir/*", "", jar.toString()),
                getClass().getClassLoader())) {
            assertThat(loader.loadClass("demo.Named").getDeclaredConstructor().newInstance()).hasToString("Named");
        }
    }

    @Test
    void theWorkersOwnLibrariesComeFirst() throws Exception {
        // The same class in the worker's libraries (the parent) and in the job's code: the worker's wins, as it did
        // when both were on a worker's -cp with the worker's libraries first.
        Path workers = compile("Shared", "worker's", temp.resolve("worker-lib"));
        Path jobs = compile("Shared", "job's", temp.resolve("job-classes"));
        try (var parent = new java.net.URLClassLoader(new java.net.URL[] {workers.toUri().toURL()}, getClass().getClassLoader());
                JobClassLoader loader = JobClassLoader.of(List.of(jobs.toString()), parent)) {
            assertThat(loader.loadClass("demo.Shared").getDeclaredConstructor().newInstance()).hasToString("worker's");
        }
    }
}
