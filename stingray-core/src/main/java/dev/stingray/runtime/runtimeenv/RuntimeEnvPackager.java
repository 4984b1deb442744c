package dev.stingray.runtime.runtimeenv;

import com.google.protobuf.ByteString;
import dev.stingray.common.gcs.GcsClient;
import dev.stingray.common.runtimeenv.RuntimeEnvSpec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Turns a runtime env as the user wrote it into what task specs carry (Ray: {@code upload_package_if_needed}):
 * every local {@code java_jars} entry — a jar file or a directory — is zipped (deterministically: sorted
 * entries, fixed times), named {@code gcs://_stingray_pkg_<sha1 of the zip>.zip}, uploaded to the GCS's
 * internal KV unless it is there already, and pinned there for a while
 * ({@code RAY_RUNTIME_ENV_TEMPORARY_REFERENCE_EXPIRATION_S}, default 600 s, as Ray's) so it survives until
 * a job or detached actor refers to it. {@link #ship} does the same for a driver's own class-path entries
 * (the job's code, which workers on other machines or behind a Ray Client server cannot see).
 *
 * <p>Thread-safe; a local path is zipped once per process as long as its size and time stay the same, and
 * pinned again (uploaded again if the GCS deleted it) when it is used after half the pin's life.
 */
public final class RuntimeEnvPackager {

    /** Ray's default {@code RAY_RUNTIME_ENV_TEMPORARY_REFERENCE_EXPIRATION_S}. */
    static final int DEFAULT_PIN_SECONDS = 600;

    private record Stamp(Path path, long size, long modified) {
    }

    /** A package this process uploaded, and when it last pinned it. */
    private record Uploaded(String uri, long pinnedAtNanos) {
    }

    /**
     * What {@link #ship} did: the package URIs in class-path order, how many of them (and how many bytes) had to be
     * uploaded, and how long it took.
     */
    public record Shipped(List<String> uris, int uploadedPackages, long uploadedBytes, long totalBytes, long millis) {

        /** One line for the driver's log. */
        public String describe() {
            return String.format("%d package(s), %.1f MiB; uploaded %d (%.1f MiB), the rest already in the cluster; %d ms",
                    uris.size(), totalBytes / 1048576.0, uploadedPackages, uploadedBytes / 1048576.0, millis);
        }
    }

    private final PackageStore store;
    private final int pinSeconds;
    private final Map<Stamp, Uploaded> uploaded = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicLong uploadedBytes = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicInteger uploadedPackages = new java.util.concurrent.atomic.AtomicInteger();
    private final Map<String, Long> sizes = new ConcurrentHashMap<>();

    public RuntimeEnvPackager(GcsClient gcs) {
        this(PackageStore.gcs(gcs));
    }

    public RuntimeEnvPackager(PackageStore store) {
        this.store = store;
        this.pinSeconds = Integer.parseInt(System.getProperty("ray.runtime-env.temporary-reference-expiration-s",
                System.getenv().getOrDefault("RAY_RUNTIME_ENV_TEMPORARY_REFERENCE_EXPIRATION_S", Integer.toString(DEFAULT_PIN_SECONDS))));
    }

    /**
     * The canonical JSON of {@code env} with local jars replaced by uploaded packages; "" for none.
     *
     * @throws IllegalArgumentException for an unsupported field, a wrongly typed value, or a jar path that does not exist
     */
    public String resolve(RuntimeEnvSpec env) {
        if (env.jars().isEmpty()) {
            return env.toJson();
        }
        List<String> jars = new ArrayList<>();
        for (String jar : env.jars()) {
            jars.add(jar.startsWith("gcs://") ? jar : upload(Path.of(jar).toAbsolutePath().normalize()));
        }
        return env.withJars(jars).toJson();
    }

    /**
     * Packs and uploads each of a driver's class-path entries (jars, class directories) as a package, as
     * {@code java_jars} are; a second run of an unchanged program finds them all in the cluster and uploads nothing.
     */
    public Shipped ship(List<Path> entries) {
        long start = System.nanoTime();
        int packagesBefore = uploadedPackages.get();
        long bytesBefore = uploadedBytes.get();
        List<String> uris = new ArrayList<>();
        long total = 0;
        for (Path entry : entries) {
            String uri = upload(entry.toAbsolutePath().normalize());
            uris.add(uri);
            total += sizes.getOrDefault(uri, 0L);
        }
        return new Shipped(List.copyOf(uris), uploadedPackages.get() - packagesBefore, uploadedBytes.get() - bytesBefore, total,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    }

    private String upload(Path path) {
        if (!Files.exists(path)) {
            throw new IllegalArgumentException("runtime_env java_jars entry '" + path + "' does not exist; give a jar file or a directory"
                    + " of classes on this machine");
        }
        try {
            Stamp stamp = new Stamp(path, Files.isDirectory(path) ? -1 : Files.size(path), Files.getLastModifiedTime(path).toMillis());
            Uploaded known = uploaded.get(stamp);
            // Zipped once; pinned again while in use (a task-only package has no other reference), at half the pin's life.
            if (known != null && System.nanoTime() - known.pinnedAtNanos() < TimeUnit.SECONDS.toNanos(pinSeconds) / 2) {
                return known.uri();
            }
            String uri = known != null ? known.uri() : null;
            byte[] zip = null;
            if (uri == null) {
                zip = zip(path);
                uri = RuntimeEnvSpec.PACKAGE_URI_PREFIX + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(zip)) + ".zip";
            }
            // Pin before checking: a package the GCS is about to delete for lack of references stays.
            store.pin(uri, pinSeconds);
            if (zip != null) {
                sizes.put(uri, (long) zip.length);
            }
            if (!store.exists(uri)) {
                byte[] bytes = zip != null ? zip : zip(path);
                store.put(uri, ByteString.copyFrom(bytes));
                uploadedPackages.incrementAndGet();
                uploadedBytes.addAndGet(bytes.length);
            }
            uploaded.put(stamp, new Uploaded(uri, System.nanoTime()));
            return uri;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot package runtime_env java_jars entry " + path, e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is missing from this JVM", e);
        }
    }

    /** A jar file becomes a zip holding it; a directory a zip of its contents. Entries sorted, times fixed. */
    static byte[] zip(Path path) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            if (Files.isDirectory(path)) {
                List<Path> files;
                try (Stream<Path> walk = Files.walk(path)) {
                    files = walk.filter(Files::isRegularFile).sorted().toList();
                }
                for (Path f : files) {
                    add(zip, path.relativize(f).toString().replace('\\', '/'), f);
                }
            } else {
                add(zip, path.getFileName().toString(), path);
            }
        }
        return bytes.toByteArray();
    }

    private static void add(ZipOutputStream zip, String name, Path file) throws IOException {
        ZipEntry entry = new ZipEntry(name);
        entry.setTime(0);
        zip.putNextEntry(entry);
        Files.copy(file, zip);
        zip.closeEntry();
    }
}
