package dev.stingray.runtime.runtimeenv;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The part of a driver's class path that is the job's own code: what workers must load and Stingray's workers do
 * not already have. Left out are the JDK's entries, {@code ray-api}, Stingray's own artifacts
 * ({@code stingray-core}, {@code stingray-runtime}, {@code stingray-distribution}), every artifact on the worker's
 * class path (from {@code distribution.properties}; matched by artifact name, since a user's Maven may mediate
 * another version of, say, netty than Stingray's build did, and the worker's own copy comes first on its class path
 * anyway), SLF4J bindings and bridges such as ray-api's {@code log4j-slf4j-impl} or a Spring Boot app's logback
 * (workers log through their own {@code log4j-slf4j2-impl}), and entries that do not exist. Jars and class directories remain, in class-path order, each once.
 */
public final class DriverClassPath {

    /** Jars every worker has, whether or not the distribution's list is on the class path. */
    /**
     * Left out whatever the worker class path says: the API and Stingray itself, and SLF4J bindings and bridges, since
     * a worker logs through its own log4j-slf4j2-impl and a second binding (a Spring Boot app's logback and
     * log4j-to-slf4j, ray-api's log4j-slf4j-impl) would make its logging fail to start.
     */
    private static final Set<String> ALWAYS_PROVIDED = Set.of("ray-api", "stingray-core", "stingray-runtime", "stingray-distribution",
            "log4j-slf4j-impl", "log4j-to-slf4j", "logback-classic", "logback-core", "slf4j-simple", "slf4j-reload4j", "slf4j-jdk14",
            "slf4j-log4j12", "slf4j-nop");
    /** {@code artifactId-version[-classifier].jar}: the artifact id is everything before the first "-digit". */
    private static final Pattern ARTIFACT_FILE = Pattern.compile("(.+?)-\\d.*\\.jar");

    private DriverClassPath() {
    }

    /** The user entries of {@code classPath} in this JVM, with the worker jars listed by the distribution on the class path. */
    public static List<Path> userEntries(List<String> classPath) {
        Set<String> provided = dev.stingray.runtime.cluster.LocalDistribution.Descriptor.onClassPath(DriverClassPath.class.getClassLoader())
                .map(dev.stingray.runtime.cluster.LocalDistribution.Descriptor::jars).orElse(Set.of());
        return userEntries(classPath, provided, Path.of(System.getProperty("java.home")));
    }

    /** The artifact id in a Maven-style jar file name ({@code netty-common-4.2.16.Final.jar} → {@code netty-common}). */
    static String artifactName(String jarFileName) {
        java.util.regex.Matcher m = ARTIFACT_FILE.matcher(jarFileName);
        return m.matches() ? m.group(1) : jarFileName.replaceAll("\\.jar$", "");
    }

    /**
     * @param classPath       the driver's class-path entries ({@code java.class.path}, split)
     * @param providedJars    file names of the jars Stingray's workers have (empty when unknown)
     * @param javaHome        the running JDK, whose entries are left out
     */
    public static List<Path> userEntries(List<String> classPath, Set<String> providedJars, Path javaHome) {
        Set<Path> entries = new LinkedHashSet<>();
        Set<String> provided = new java.util.HashSet<>(ALWAYS_PROVIDED);
        providedJars.forEach(jar -> provided.add(artifactName(jar)));
        Path jdk = javaHome.toAbsolutePath().normalize();
        for (String entry : classPath) {
            if (entry.isBlank()) {
                continue;
            }
            Path path = Path.of(entry).toAbsolutePath().normalize();
            String name = path.getFileName() == null ? "" : path.getFileName().toString();
            if (!Files.exists(path) || path.startsWith(jdk) || (name.endsWith(".jar") && provided.contains(artifactName(name)))) {
                continue;
            }
            entries.add(path);
        }
        return new ArrayList<>(entries);
    }
}
