package dev.stingray.runtime.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The embedded default of {@code Ray.init()} without an address: a single-node cluster started with the
 * real {@code stingray start --head} in a fresh temp dir (in-memory GCS, any free ports), stopped again by
 * {@link #close()} at {@code Ray.shutdown()}. It runs from the {@link LocalDistribution} (the archive that the
 * {@code stingray-runtime} dependency carries, or {@code STINGRAY_LIB_DIR}).
 */
public final class LocalCluster implements AutoCloseable {

    private final Path libDir;
    private final Path tempDir;
    private final String gcsAddress;

    private LocalCluster(Path libDir, Path tempDir, String gcsAddress) {
        this.libDir = libDir;
        this.tempDir = tempDir;
        this.gcsAddress = gcsAddress;
    }

    public static LocalCluster start(List<String> headArgs) {
        Path libDir = LocalDistribution.libDir();
        try {
            Path temp = Files.createTempDirectory("stingray-local");
            List<String> args = new ArrayList<>(List.of("start", "--head", "--port=0", "--temp-dir=" + temp,
                    "--ray-client-server-port=0", "--dashboard-agent-listen-port=0"));
            args.addAll(headArgs);
            String output = runCli(libDir, args);
            String address = Files.readString(temp.resolve("stingray_current_cluster"), StandardCharsets.UTF_8).trim();
            if (address.isEmpty()) {
                throw new IllegalStateException("The local cluster did not record its address:\n" + output);
            }
            System.err.println("Started a local Stingray cluster at " + address + " (temp dir " + temp + ")");
            return new LocalCluster(libDir, temp, address);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start a local Stingray cluster: " + e.getMessage(), e);
        }
    }

    static String runCli(Path libDir, List<String> args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Dstingray.lib.dir=" + libDir, "-jar", LocalDistribution.cliJar(libDir).toString()));
        cmd.addAll(args);
        Path log = Files.createTempFile("stingray-local-cli", ".log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            if (!p.waitFor(180, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("stingray " + String.join(" ", args) + " did not finish within 180 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while starting the local cluster");
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        Files.deleteIfExists(log);
        if (p.exitValue() != 0) {
            throw new IllegalStateException("stingray " + String.join(" ", args) + " failed:\n" + output);
        }
        return output;
    }

    public String gcsAddress() {
        return gcsAddress;
    }

    public Path tempDir() {
        return tempDir;
    }

    @Override
    public void close() {
        try {
            runCli(libDir, List.of("stop", "--temp-dir=" + tempDir));
        } catch (IOException | RuntimeException e) {
            System.err.println("Stopping the local Stingray cluster failed: " + e.getMessage());
        }
    }
}
