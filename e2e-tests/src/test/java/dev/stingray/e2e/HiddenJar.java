package dev.stingray.e2e;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * Compiles a one-class jar at test time, so its class is on no class path of the test JVM: only a
 * runtime env's {@code java_jars} can bring it to a worker.
 */
final class HiddenJar {

    private HiddenJar() {
    }

    /** A jar with {@code hidden.<simpleName>} whose static {@code greet(who)} returns {@code greeting + " " + who}. */
    static Path build(Path dir, String simpleName, String greeting) throws IOException {
        Path src = dir.resolve("src/hidden/" + simpleName + ".java");
        Files.createDirectories(src.getParent());
        Files.writeString(src, "package hidden;\npublic final class " + simpleName + " {\n"
                + "    public static String greet(String who) { return \"" + greeting + " \" + who; }\n}\n");
        Path classes = Files.createDirectories(dir.resolve("classes"));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        if (javac == null) {
            throw new IllegalStateException("The runtime-env tests compile a jar and need a JDK, not a JRE (java.home=" + System.getProperty("java.home") + ")");
        }
        int status = javac.run(null, null, null, "-d", classes.toString(), src.toString());
        if (status != 0) {
            throw new IllegalStateException("javac failed with status " + status + " on " + src);
        }
        Path jar = dir.resolve(simpleName.toLowerCase() + ".jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            out.putNextEntry(new JarEntry("hidden/" + simpleName + ".class"));
            Files.copy(classes.resolve("hidden/" + simpleName + ".class"), (OutputStream) out);
            out.closeEntry();
        }
        return jar;
    }
}
