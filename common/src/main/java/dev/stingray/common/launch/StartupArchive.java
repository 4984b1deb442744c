package dev.stingray.common.launch;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The start-up archive a JVM of this build records for a program ({@code bin/train-cds}) and uses at each
 * later start: on JDK 25 and later the AOT cache {@code <name>.aot} (JEP 483/514/515: classes already
 * parsed, loaded and linked, plus method profiles), on older JDKs the class-data-sharing archive
 * {@code <name>.jsa} (classes parsed only). An archive only helps the JVM that recorded it; one recorded by
 * another JVM is ignored by that JVM with a warning, which the flags silence.
 *
 * @param file the archive this JVM uses, whether or not it exists yet
 */
public record StartupArchive(Path file) {

    /** The first JDK with {@code -XX:AOTCache} and one-step {@code -XX:AOTCacheOutput} (JEP 514). */
    public static final int AOT_CACHE_JDK = 25;

    /** The archive of {@code name} in {@code dir} for the running JVM. */
    public static StartupArchive of(Path dir, String name) {
        return new StartupArchive(dir.resolve(name + (usesAotCache() ? ".aot" : ".jsa")));
    }

    /** Whether the running JVM records and reads AOT caches rather than CDS archives. */
    public static boolean usesAotCache() {
        return Runtime.version().feature() >= AOT_CACHE_JDK;
    }

    public boolean exists() {
        return Files.isRegularFile(file);
    }

    /** The flags that make a JVM start from this archive; none when it was not recorded. */
    public List<String> jvmFlags() {
        if (!exists()) {
            return List.of();
        }
        if (file.getFileName().toString().endsWith(".aot")) {
            return List.of("-XX:AOTCache=" + file, "-Xlog:aot=off", "-Xlog:cds=off", "-Xlog:class+path=off");
        }
        return List.of("-XX:SharedArchiveFile=" + file, "-Xshare:auto", "-Xlog:cds=off", "-Xlog:class+path=off");
    }
}
