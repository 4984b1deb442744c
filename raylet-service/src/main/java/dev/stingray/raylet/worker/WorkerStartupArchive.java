package dev.stingray.raylet.worker;

import dev.stingray.common.launch.StartupArchive;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * The worker JVM's start-up archive (an AOT cache on JDK 25+, else a CDS archive; {@link StartupArchive}),
 * which halves a worker's start. It lives in the worker lib dir under a name that fingerprints the jars there
 * ({@code worker-<sha12>.jsa|aot}), so a rebuilt lib dir is never started with a stale archive. The raylet
 * records it once per lib dir and JDK with one real worker start against itself ({@link WorkerPool#recordStartupArchive}):
 * the recording worker runs {@code Ray.init()} as every worker does, then exits instead of registering
 * ({@link #RECORD_PROPERTY}), and the JVM writes the archive at exit.
 */
public final class WorkerStartupArchive {

    /** Set on the recording worker: initialize, then exit (the JVM writes the archive). */
    public static final String RECORD_PROPERTY = "ray.worker.record-startup-archive";

    private final StartupArchive archive;

    private WorkerStartupArchive(StartupArchive archive) {
        this.archive = archive;
    }

    /** The archive for the jars now in {@code workerLibDir} and the running JVM. */
    public static WorkerStartupArchive of(Path workerLibDir) {
        return new WorkerStartupArchive(StartupArchive.of(workerLibDir, "worker-" + fingerprint(workerLibDir)));
    }

    public boolean exists() {
        return archive.exists();
    }

    /** Flags that start a worker from the archive; none before it was recorded. */
    public List<String> jvmFlags() {
        return archive.jvmFlags();
    }

    /** Where a recording run writes (moved into place by {@link #install}), and the flag that makes it do so. */
    Path recordingFile() {
        return archive.file().resolveSibling(archive.file().getFileName() + ".recording");
    }

    String recordFlag() {
        return (StartupArchive.usesAotCache() ? "-XX:AOTCacheOutput=" : "-XX:ArchiveClassesAtExit=") + recordingFile();
    }

    /** Moves a finished recording into place atomically; false when the run wrote none. */
    boolean install() throws IOException {
        if (!Files.isRegularFile(recordingFile())) {
            return false;
        }
        Files.move(recordingFile(), archive.file(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return true;
    }

    Path file() {
        return archive.file();
    }

    /** SHA-256 over the names, sizes and modification times of the jars (what the JVM checks an archive against). */
    static String fingerprint(Path workerLibDir) {
        try (Stream<Path> files = Files.list(workerLibDir)) {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (Path jar : files.filter(f -> f.getFileName().toString().endsWith(".jar")).sorted().toList()) {
                sha.update((jar.getFileName() + ":" + Files.size(jar) + ":" + Files.getLastModifiedTime(jar).toMillis() + "\n").getBytes());
            }
            return HexFormat.of().formatHex(sha.digest()).substring(0, 12);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list the worker lib dir " + workerLibDir + ": " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
