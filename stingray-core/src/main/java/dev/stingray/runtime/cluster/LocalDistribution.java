package dev.stingray.runtime.cluster;

import dev.stingray.common.launch.StartupArchive;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The Stingray distribution a local cluster runs from (the embedded default of {@code Ray.init()}).
 *
 * <p>{@code dev.stingray:stingray-runtime} depends on {@code stingray-distribution}, a jar whose resource
 * {@code META-INF/stingray/distribution.tar.gz} is the very archive {@code ./mvnw package} produces
 * ({@code stingray-<version>.tar.gz}: bin/, lib/), described by {@code distribution.properties} (version, SHA-256,
 * the library jars of every Stingray process). So a program whose pom names only {@code ray-api} and
 * {@code stingray-runtime} has the daemons on its class path without having them loaded: the first
 * {@code Ray.init()} on a machine unpacks the archive into the cache ({@code $XDG_CACHE_HOME/stingray}, default
 * {@code ~/.cache/stingray}; {@code STINGRAY_CACHE_DIR} or {@code -Dray.stingray.cache-dir} override it) under
 * {@code stingray-<version>-<sha256 prefix>/} and records the daemons' start-up archives (AOT cache or CDS, StartupArchive) there with the
 * driver's own JVM ({@code bin/train-cds}); later calls find it ready. Concurrent first calls wait on a file lock
 * instead of unpacking twice. Unpacked copies of the same version that have not been used for a day are removed.
 *
 * <p>{@code STINGRAY_LIB_DIR} (or {@code -Dray.stingray.lib-dir}) still names a lib directory to use instead
 * (a checkout's {@code build/lib} or an unpacked distribution's {@code lib}).
 */
public final class LocalDistribution {

    static final String RESOURCE_DIR = "META-INF/stingray/";
    private static final String PROPERTIES = RESOURCE_DIR + "distribution.properties";
    private static final String ARCHIVE = RESOURCE_DIR + "distribution.tar.gz";
    private static final String READY_MARKER = ".ready";
    private static final Duration UNUSED_COPY_AGE = Duration.ofDays(1);

    private LocalDistribution() {
    }

    /** What {@code distribution.properties} says of the archive on the class path, if there is one. */
    public record Descriptor(String version, String sha256, String root, Set<String> jars) {

        /** The descriptor of the distribution jar on the class path of {@code loader}, if any. */
        public static java.util.Optional<Descriptor> onClassPath(ClassLoader loader) {
            try (InputStream in = loader.getResourceAsStream(PROPERTIES)) {
                if (in == null) {
                    return java.util.Optional.empty();
                }
                Properties p = new Properties();
                p.load(in);
                Set<String> jars = Arrays.stream(p.getProperty("jars", "").split(",")).map(String::trim)
                        .filter(s -> !s.isEmpty()).collect(Collectors.toUnmodifiableSet());
                return java.util.Optional.of(new Descriptor(p.getProperty("version"), p.getProperty("sha256"), p.getProperty("root"), jars));
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot read " + PROPERTIES + " from the class path: " + e.getMessage(), e);
            }
        }

        String directoryName() {
            return root + "-" + sha256.substring(0, 12);
        }
    }

    /**
     * The lib directory to start the local cluster from: the override, else the unpacked distribution from the
     * class path (unpacking it first if needed).
     *
     * @throws IllegalStateException naming what to add or set when there is neither
     */
    public static Path libDir() {
        String override = System.getProperty("ray.stingray.lib-dir", System.getenv("STINGRAY_LIB_DIR"));
        if (override != null && !override.isBlank()) {
            Path dir = Path.of(override).toAbsolutePath();
            if (cliJar(dir) == null) {
                throw new IllegalStateException("STINGRAY_LIB_DIR (or -Dray.stingray.lib-dir) is " + dir
                        + ", which has neither cli.jar nor cli/cli.jar: point it at a checkout's build/lib or an unpacked distribution's lib");
            }
            return dir;
        }
        ClassLoader loader = LocalDistribution.class.getClassLoader();
        Descriptor descriptor = Descriptor.onClassPath(loader).orElseThrow(() -> new IllegalStateException(
                "Ray.init() without ray.address starts a local Stingray cluster from the distribution that the dependency"
                        + " dev.stingray:stingray-runtime brings (artifact stingray-distribution), and it is not on the class path."
                        + " Depend on dev.stingray:stingray-runtime (not only stingray-core), or set STINGRAY_LIB_DIR to an unpacked"
                        + " distribution's lib directory, or connect to a running cluster with -Dray.address=HOST:PORT"));
        return unpacked(descriptor, loader, cacheDir()).resolve("lib");
    }

    /** The CLI jar in a lib directory: {@code cli/cli.jar} (a distribution) or {@code cli.jar} (a checkout's build/lib). */
    static Path cliJar(Path libDir) {
        for (Path candidate : List.of(libDir.resolve("cli").resolve("cli.jar"), libDir.resolve("cli.jar"))) {
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    static Path cacheDir() {
        String configured = System.getProperty("ray.stingray.cache-dir", System.getenv("STINGRAY_CACHE_DIR"));
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("stingray");
    }

    /**
     * The unpacked, trained copy of the distribution in {@code cache}; unpacks it under a file lock when missing, and
     * records the start-up archives of the running JVM when they are missing (a first run on another JDK).
     */
    static Path unpacked(Descriptor descriptor, ClassLoader loader, Path cache) {
        Path target = cache.resolve(descriptor.directoryName());
        try {
            Files.createDirectories(cache);
            if (!Files.exists(target.resolve(READY_MARKER)) || !trainedForThisJvm(target)) {
                try (FileChannel lockFile = FileChannel.open(cache.resolve("." + descriptor.directoryName() + ".lock"),
                        StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                        FileLock lock = lockFile.lock()) {
                    if (!Files.exists(target.resolve(READY_MARKER))) {
                        unpack(descriptor, loader, cache, target);
                    } else if (!trainedForThisJvm(target)) {
                        System.err.println("Stingray: recording the start-up archives of Java " + Runtime.version() + " in " + target);
                        trainStartupArchives(target);
                    }
                }
                removeUnusedCopies(cache, descriptor);
            }
            Files.setLastModifiedTime(target.resolve(READY_MARKER), FileTime.from(Instant.now()));
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot unpack the Stingray distribution " + descriptor.version() + " into " + target
                    + ": " + e.getMessage() + ". Set STINGRAY_CACHE_DIR to a writable directory", e);
        }
    }

    /** Whether the GCS's start-up archive for the running JVM exists (all daemons are trained together). */
    private static boolean trainedForThisJvm(Path root) {
        return StartupArchive.of(root.resolve("lib").resolve("gcs-service"), "gcs-service").exists();
    }

    private static void unpack(Descriptor descriptor, ClassLoader loader, Path cache, Path target) throws IOException {
        Instant start = Instant.now();
        System.err.println("Stingray: unpacking the local cluster's distribution " + descriptor.version() + " into " + target
                + " and recording its start-up archives (once per version and JDK)");
        Path staging = Files.createTempDirectory(cache, ".unpack-");
        try {
            try (InputStream archive = loader.getResourceAsStream(ARCHIVE)) {
                if (archive == null) {
                    throw new IOException(ARCHIVE + " is missing next to " + PROPERTIES + " on the class path");
                }
                run(List.of("tar", "-xzf", "-", "-C", staging.toString()), archive, Duration.ofMinutes(5));
            }
            Path root = staging.resolve(descriptor.root());
            Path lib = root.resolve("lib");
            if (cliJar(lib) == null) {
                throw new IOException("the archive has no " + descriptor.root() + "/lib/cli/cli.jar");
            }
            trainStartupArchives(root);
            deleteTree(target);
            Files.move(root, target, StandardCopyOption.ATOMIC_MOVE);
            Files.writeString(target.resolve(READY_MARKER), descriptor.sha256() + "\n", StandardCharsets.UTF_8);
            System.err.println("Stingray: distribution ready in " + Duration.between(start, Instant.now()).toMillis() + " ms");
        } finally {
            deleteTree(staging);
        }
    }

    /**
     * Two {@code bin/train-cds} runs side by side (the daemons split between them; the machines we aim at have 2+
     * cores), with the driver's JVM: the archives only help the JVM that recorded them.
     */
    private static void trainStartupArchives(Path root) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String script = root.resolve("bin").resolve("train-cds").toString();
        String lib = root.resolve("lib").toString();
        List<List<String>> halves = List.of(List.of("gcs-service", "raylet-service", "log-monitor"),
                List.of("dashboard-agent", "client-proxy-service"));
        List<Process> running = new ArrayList<>();
        for (List<String> modules : halves) {
            List<String> command = new ArrayList<>(List.of("sh", script, lib, lib));
            command.addAll(modules);
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD);
            pb.environment().put("JAVA", java);
            running.add(pb.start());
        }
        for (Process p : running) {
            await(p, Duration.ofMinutes(5), "bin/train-cds");
        }
    }

    private static void run(List<String> command, InputStream stdin, Duration timeout) throws IOException {
        Path log = Files.createTempFile("stingray-unpack", ".log");
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            try (OutputStream in = p.getOutputStream()) {
                stdin.transferTo(in);
            }
            if (await(p, timeout, command.get(0)) != 0) {
                throw new IOException(String.join(" ", command) + " failed: " + Files.readString(log, StandardCharsets.UTF_8).strip());
            }
        } finally {
            Files.deleteIfExists(log);
        }
    }

    private static int await(Process p, Duration timeout, String what) throws IOException {
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IOException(what + " did not finish within " + timeout.toSeconds() + " s");
            }
            return p.exitValue();
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for " + what);
        }
    }

    /** Other unpacked copies of this version (earlier builds of a snapshot) that no one used for a day. */
    private static void removeUnusedCopies(Path cache, Descriptor current) {
        Instant cutoff = Instant.now().minus(UNUSED_COPY_AGE);
        try (Stream<Path> entries = Files.list(cache)) {
            for (Path dir : entries.toList()) {
                String name = dir.getFileName().toString();
                if (!name.startsWith(current.root() + "-") || name.equals(current.directoryName())) {
                    continue;
                }
                Path marker = dir.resolve(READY_MARKER);
                if (Files.exists(marker) && Files.getLastModifiedTime(marker).toInstant().isBefore(cutoff)) {
                    deleteTree(dir);
                }
            }
        } catch (IOException e) {
            // Only housekeeping; the cache stays usable.
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
