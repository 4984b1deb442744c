package dev.stingray.common.session;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Optional;

/**
 * The layout of one session directory (Ray: {@code node.py::_init_temp}):
 * {@code <temp>/session_<YYYY-MM-DD_HH-MM-SS_micros>_<pid>/} with {@code logs/}, port files
 * ({@code <port_name>_<nodeIdHex>}) and pid files ({@code <service>.pid}); {@code <temp>/session_latest}
 * links to the newest one and {@code <temp>/stingray_current_cluster} holds the last head address.
 */
public record SessionDir(Path path) {

    public static final String DEFAULT_TEMP_DIR = "/tmp/stingray";
    public static final String CURRENT_CLUSTER_FILE = "stingray_current_cluster";
    private static final DateTimeFormatter NAME_FORMAT = DateTimeFormatter.ofPattern("yyyy-MM-dd_HH-mm-ss_SSSSSS");

    /** A fresh session name as Ray makes it. */
    public static String newSessionName() {
        return "session_" + LocalDateTime.now().format(NAME_FORMAT) + "_" + ProcessHandle.current().pid();
    }

    /** Creates {@code <temp>/<sessionName>} with its {@code logs/} and points {@code session_latest} at it. */
    public static SessionDir create(Path tempDir, String sessionName) {
        Path dir = tempDir.resolve(sessionName);
        try {
            Files.createDirectories(dir.resolve("logs"));
            Path latest = tempDir.resolve("session_latest");
            Path tmpLink = tempDir.resolve("session_latest.tmp" + ProcessHandle.current().pid());
            Files.deleteIfExists(tmpLink);
            Files.createSymbolicLink(tmpLink, dir.getFileName());
            Files.move(tmpLink, latest, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create session directory " + dir + ": " + e.getMessage(), e);
        }
        return new SessionDir(dir);
    }

    public String name() {
        return path.getFileName().toString();
    }

    public Path logsDir() {
        return path.resolve("logs");
    }

    public Path portFile(String portName, String nodeIdHex) {
        return path.resolve(portName + "_" + nodeIdHex);
    }

    /**
     * Written by a daemon once its readiness probe is UP for the first time (content: its pid), so a launcher
     * waits for a file event instead of polling the probe.
     */
    public Path readyFile(String service, String nodeIdHex) {
        return path.resolve(service + "_" + nodeIdHex + ".ready");
    }

    public Path pidFile(String service, String nodeIdHex) {
        return path.resolve(service + "_" + nodeIdHex + ".pid");
    }

    /** Writes a port file atomically, so a reader never sees a half-written number. */
    public void writePort(String portName, String nodeIdHex, int port) {
        writeAtomically(portFile(portName, nodeIdHex), Integer.toString(port));
    }

    public Optional<Integer> readPort(String portName, String nodeIdHex) {
        return readTrimmed(portFile(portName, nodeIdHex)).map(Integer::parseInt);
    }

    public static void writeAtomically(Path file, String content) {
        try {
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(tmp, content, StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    public static Optional<String> readTrimmed(Path file) {
        try {
            String s = Files.readString(file, StandardCharsets.UTF_8).trim();
            return s.isEmpty() ? Optional.empty() : Optional.of(s);
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
