package dev.stingray.runtime.runtimeenv;

import com.google.protobuf.ByteString;
import dev.stingray.common.gcs.GcsClient;
import dev.stingray.common.runtimeenv.RuntimeEnvSpec;
import dev.stingray.proto.PinRuntimeEnvURIRequest;
import dev.stingray.proto.RuntimeEnvGcsServiceGrpc;
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
 * a job or detached actor refers to it.
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

    private final GcsClient gcs;
    private final int pinSeconds;
    private final Map<Stamp, Uploaded> uploaded = new ConcurrentHashMap<>();

    public RuntimeEnvPackager(GcsClient gcs) {
        this.gcs = gcs;
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
            RuntimeEnvGcsServiceGrpc.newBlockingStub(gcs.channel()).withDeadlineAfter(10, TimeUnit.SECONDS)
                    .pinRuntimeEnvURI(PinRuntimeEnvURIRequest.newBuilder().setUri(uri).setExpirationS(pinSeconds).build());
            if (!gcs.kvExists("", uri)) {
                gcs.kvPut("", uri, ByteString.copyFrom(zip != null ? zip : zip(path)), false);
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
