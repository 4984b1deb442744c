package dev.stingray.raylet.worker;

import com.google.protobuf.ByteString;
import dev.stingray.common.gcs.GcsClient;
import dev.stingray.common.runtimeenv.RuntimeEnvSpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * The node's cache of runtime-env packages (Ray: the runtime env agent's {@code java_jars} plugin): a
 * {@code gcs://_stingray_pkg_<sha1>.zip} package is fetched from the GCS's internal KV once, unpacked
 * under {@code <session>/runtime_resources/java_jars/<name>/}, and kept for every later worker that needs it.
 * A worker's class path gets the directory (classes) and its jars.
 *
 * <p>Thread-safe: unpacking goes to a temporary directory that is moved into place atomically.
 */
public final class RuntimeEnvPackages {

    private final GcsClient gcs;
    private final Supplier<Path> sessionDir;

    public RuntimeEnvPackages(GcsClient gcs, Supplier<Path> sessionDir) {
        this.gcs = gcs;
        this.sessionDir = sessionDir;
    }

    /** The class-path entries of {@code java_jars}: cached package directories (and their jars); other entries as given. */
    public List<String> classPath(RuntimeEnvSpec env) {
        return classPath(env.jars());
    }

    /**
     * Class-path entries for a list that mixes packages ({@code gcs://...}: fetched once per node, their directory
     * and its jars) and local paths (as given): a runtime env's {@code java_jars}, or a job's code search path,
     * where a driver whose classes the workers cannot see put its class-path entries as packages.
     */
    public List<String> classPath(List<String> jarsOrPackages) {
        List<String> entries = new ArrayList<>();
        for (String jar : jarsOrPackages) {
            if (!jar.startsWith("gcs://")) {
                entries.add(jar);
                continue;
            }
            Path dir = ensure(jar);
            entries.add(dir.toString());
            entries.add(dir.resolve("*").toString());
        }
        return entries;
    }

    private Path ensure(String uri) {
        String name = uri.substring("gcs://".length()).replaceAll("\\.zip$", "");
        Path dir = sessionDir.get().resolve("runtime_resources").resolve("java_jars").resolve(name);
        if (Files.isDirectory(dir)) {
            return dir;
        }
        ByteString data = gcs.kvGet("", uri).orElseThrow(() -> new IllegalStateException("The runtime-env package " + uri
                + " is not in the GCS; it is uploaded by the driver that first uses it and deleted when no job or detached actor"
                + " refers to it"));
        try {
            Files.createDirectories(dir.getParent());
            Path tmp = Files.createTempDirectory(dir.getParent(), name + ".tmp");
            try (ZipInputStream zip = new ZipInputStream(data.newInput())) {
                for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
                    Path target = tmp.resolve(e.getName()).normalize();
                    if (!target.startsWith(tmp)) {
                        throw new IllegalStateException("The package " + uri + " has an entry outside its directory: " + e.getName());
                    }
                    if (e.isDirectory()) {
                        Files.createDirectories(target);
                    } else {
                        Files.createDirectories(target.getParent());
                        Files.copy((InputStream) zip, target, StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
            try {
                Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException lostRace) {
                // Another worker start unpacked it first.
                deleteTree(tmp);
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot unpack the runtime-env package " + uri + " into " + dir, e);
        }
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
