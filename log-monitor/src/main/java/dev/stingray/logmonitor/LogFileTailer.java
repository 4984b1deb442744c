package dev.stingray.logmonitor;

import dev.stingray.proto.LogBatch;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tails the log files of one node's logs directory and turns their new lines into {@link LogBatch}es
 * (Ray: {@code log_monitor.py}, {@code LogMonitor.update_log_filenames}, {@code open_closed_files} and
 * {@code check_log_files_and_publish_updates}).
 *
 * <p>Each {@link #poll()} re-globs the directory for Ray's patterns (every pass, or every 0.5 s once more
 * than 1000 files are known), then reads up to {@code maxLinesPerBatch} new complete lines of every file.
 * Per file it keeps the byte position and the file key (inode):
 * <ul>
 *   <li>a trailing line without its newline is left for a later pass (Ray would publish the fragment);
 *       only a fragment longer than {@value #MAX_LINE_BYTES} bytes is cut and published as a line;</li>
 *   <li>a file shorter than the position was truncated: it is read again from the start (a file truncated
 *       and rewritten past the old position between two passes goes unnoticed, as in Ray);</li>
 *   <li>a different file key under the same name means the file was rotated: the new file is read from
 *       its start and the unread rest of the old one is abandoned (Ray reopens and seeks to the old
 *       position instead, which skips the beginning of the new file);</li>
 *   <li>a file that disappeared is forgotten.</li>
 * </ul>
 * At most {@code maxOpenFiles} files are open; beyond that the least recently read are closed and later
 * reopened at their position. Lines are decoded as UTF-8 with replacement characters and stripped of
 * trailing {@code \r}. Marker lines are not published: {@code :actor_name:X} and {@code :task_name:X}
 * end the current batch and rename the following lines ({@code :actor_name:} also clears the task
 * name); {@code :job_id:X} sets the job of the batch being collected, as in Ray.
 *
 * <p>Not thread-safe: confined to the log monitor's loop thread (tests call it directly).
 */
public final class LogFileTailer implements AutoCloseable {

    /** Ray's {@code WORKER_LOG_PATTERN}: group 1 is the job id hex, group 2 the worker's pid. */
    static final Pattern WORKER_LOG_PATTERN = Pattern.compile(".*worker.*-([0-9a-f]+)-(\\d+)");
    /** Ray's {@code RUNTIME_ENV_SETUP_PATTERN}: the job id of a runtime env setup log. */
    static final Pattern RUNTIME_ENV_SETUP_PATTERN = Pattern.compile(".*runtime_env_setup-([0-9a-f]+)\\.log");

    /** Ray's {@code ray_constants.LOG_PREFIX_ACTOR_NAME}, {@code LOG_PREFIX_TASK_NAME}, {@code LOG_PREFIX_JOB_ID}. */
    public static final String ACTOR_NAME_PREFIX = ":actor_name:";
    public static final String TASK_NAME_PREFIX = ":task_name:";
    public static final String JOB_ID_PREFIX = ":job_id:";

    /** Ray's {@code RAY_LOG_MONITOR_MANY_FILES_THRESHOLD} and the re-glob interval above it. */
    static final int MANY_FILES_THRESHOLD = 1000;
    static final Duration MANY_FILES_RESCAN_INTERVAL = Duration.ofMillis(500);

    /** A line longer than this without a newline is published in pieces rather than buffered forever. */
    static final int MAX_LINE_BYTES = 1 << 20;

    private static final Logger log = LoggerFactory.getLogger(LogFileTailer.class);
    private static final String AUTOSCALER_EVENTS = "events/event_AUTOSCALER.log";

    private final Path logsDir;
    private final String ip;
    private final int maxLinesPerBatch;
    private final int maxOpenFiles;
    private final LongSupplier nanoTime;
    private final List<PathMatcher> matchers;
    private final Map<Path, TailedFile> files = new TreeMap<>();
    /** Open files in least-recently-read order. */
    private final LinkedHashMap<Path, TailedFile> open = new LinkedHashMap<>(16, 0.75f, true);
    private final ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
    private long lastScanNanos;
    private boolean scanned;

    public LogFileTailer(Path logsDir, String ip, int maxLinesPerBatch, int maxOpenFiles, boolean runtimeEnvLogs) {
        this(logsDir, ip, maxLinesPerBatch, maxOpenFiles, runtimeEnvLogs, System::nanoTime);
    }

    LogFileTailer(Path logsDir, String ip, int maxLinesPerBatch, int maxOpenFiles, boolean runtimeEnvLogs,
            LongSupplier nanoTime) {
        if (maxLinesPerBatch <= 0 || maxOpenFiles <= 0) {
            throw new IllegalArgumentException("maxLinesPerBatch and maxOpenFiles must be positive, got "
                    + maxLinesPerBatch + " and " + maxOpenFiles);
        }
        this.logsDir = Objects.requireNonNull(logsDir, "logsDir");
        this.ip = ip == null ? "" : ip;
        this.maxLinesPerBatch = maxLinesPerBatch;
        this.maxOpenFiles = maxOpenFiles;
        this.nanoTime = nanoTime;
        // Ray: update_log_filenames. Ray's "worker*[.out|.err]" is a character class; the intent is these two.
        List<String> globs = new ArrayList<>(List.of(
                "worker*.out", "worker*.err", "java-worker*.log", "raylet*.err", "gcs_server*.err", "monitor.log"));
        if (runtimeEnvLogs) {
            globs.add("runtime_env*.log");
        }
        this.matchers = globs.stream().map(g -> FileSystems.getDefault().getPathMatcher("glob:" + g)).toList();
    }

    public Path logsDir() {
        return logsDir;
    }

    /** Files currently tailed (matched by the last scan and still present). */
    public int trackedFileCount() {
        return files.size();
    }

    public int openFileCount() {
        return open.size();
    }

    /**
     * One pass: re-glob if due, then read every tailed file's new complete lines.
     *
     * @return one batch per file that had new lines, split further at name markers; empty when nothing is new
     */
    public List<LogBatch> poll() {
        if (rescanDue()) {
            rescan();
        }
        List<LogBatch> out = new ArrayList<>();
        for (Iterator<TailedFile> it = files.values().iterator(); it.hasNext(); ) {
            TailedFile file = it.next();
            try {
                if (!read(file, out)) {
                    log.warn("The file {} was not found; no longer tailing it.", file.path);
                    closeChannel(file);
                    it.remove();
                }
            } catch (IOException e) {
                // Retried next pass from the last position; one bad file never stops the others.
                log.warn("Cannot read {}: {}", file.path, e.toString());
                closeChannel(file);
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ discovery

    private boolean rescanDue() {
        // Ray: should_update_filenames.
        return !scanned || files.size() < MANY_FILES_THRESHOLD
                || nanoTime.getAsLong() - lastScanNanos >= MANY_FILES_RESCAN_INTERVAL.toNanos();
    }

    private void rescan() {
        scanned = true;
        lastScanNanos = nanoTime.getAsLong();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(logsDir)) {
            for (Path path : dir) {
                Path name = path.getFileName();
                if (matchers.stream().anyMatch(m -> m.matches(name)) && Files.isRegularFile(path)) {
                    track(path);
                }
            }
        } catch (NoSuchFileException | NotDirectoryException e) {
            log.debug("The logs directory {} does not exist yet", logsDir);
            return;
        } catch (IOException e) {
            log.warn("Cannot list the logs directory {}: {}", logsDir, e.toString());
            return;
        }
        Path events = logsDir.resolve(AUTOSCALER_EVENTS);
        if (Files.isRegularFile(events)) {
            track(events);
        }
    }

    private void track(Path path) {
        files.computeIfAbsent(path, TailedFile::new);
    }

    // ------------------------------------------------------------------ reading

    /** Reads the new lines of one file into {@code out}; false when the file no longer exists. */
    private boolean read(TailedFile file, List<LogBatch> out) throws IOException {
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(file.path, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            return false;
        }
        Object key = attrs.fileKey();
        if (file.fileKey != null && key != null && !key.equals(file.fileKey)) {
            log.debug("{} was rotated; reading the new file from its start", file.path);
            closeChannel(file);
            file.position = 0;
        }
        file.fileKey = key;
        if (attrs.size() < file.position) {
            log.debug("{} was truncated to {} bytes; reading it again from the start", file.path, attrs.size());
            file.position = 0;
        }
        if (attrs.size() == file.position) {
            return true;
        }
        FileChannel channel;
        try {
            channel = channel(file);
        } catch (NoSuchFileException e) {
            return false;
        }

        List<String> lines = new ArrayList<>();
        LineBuffer pending = new LineBuffer();
        long readPosition = file.position;
        int linesRead = 0;
        reading:
        while (linesRead < maxLinesPerBatch) {
            buffer.clear();
            int n = channel.read(buffer, readPosition);
            if (n <= 0) {
                break;
            }
            byte[] bytes = buffer.array();
            for (int i = 0; i < n; i++) {
                byte b = bytes[i];
                boolean endOfLine = b == '\n';
                if (!endOfLine) {
                    pending.add(b);
                }
                if (endOfLine || pending.length() >= MAX_LINE_BYTES) {
                    handleLine(file, pending.decode(), lines, out);
                    pending.clear();
                    linesRead++;
                    file.position = readPosition + i + 1;
                    if (linesRead >= maxLinesPerBatch) {
                        break reading;
                    }
                }
            }
            readPosition += n;
        }
        // A trailing fragment stays unread: file.position is the end of the last complete line.
        flush(file, lines, out);
        return true;
    }

    /** Ray: the marker handling inside check_log_files_and_publish_updates. */
    private void handleLine(TailedFile file, String line, List<String> lines, List<LogBatch> out) {
        if (line.startsWith(ACTOR_NAME_PREFIX)) {
            flush(file, lines, out);
            file.actorName = line.substring(ACTOR_NAME_PREFIX.length());
            file.taskName = "";
        } else if (line.startsWith(TASK_NAME_PREFIX)) {
            flush(file, lines, out);
            file.taskName = line.substring(TASK_NAME_PREFIX.length());
        } else if (line.startsWith(JOB_ID_PREFIX)) {
            // As in Ray, no flush: the batch being collected is published under the new job.
            file.jobId = line.substring(JOB_ID_PREFIX.length());
        } else {
            lines.add(line);
        }
    }

    private void flush(TailedFile file, List<String> lines, List<LogBatch> out) {
        if (lines.isEmpty()) {
            return;
        }
        out.add(LogBatch.newBuilder()
                .setIp(ip)
                .setPid(file.pid)
                .setJobId(file.jobId)
                .setIsError(file.isError)
                .addAllLines(lines)
                .setActorName(file.actorName)
                .setTaskName(file.taskName)
                .build());
        lines.clear();
    }

    // ------------------------------------------------------------------ open files

    private FileChannel channel(TailedFile file) throws IOException {
        if (file.channel != null && file.channel.isOpen()) {
            open.get(file.path); // mark as most recently read
            return file.channel;
        }
        // Ray: open_closed_files closes files once LOG_MONITOR_MAX_OPEN_FILES are open.
        while (open.size() >= maxOpenFiles) {
            closeChannel(open.values().iterator().next());
        }
        file.channel = FileChannel.open(file.path, StandardOpenOption.READ);
        open.put(file.path, file);
        return file.channel;
    }

    private void closeChannel(TailedFile file) {
        open.remove(file.path);
        if (file.channel != null) {
            try {
                file.channel.close();
            } catch (IOException e) {
                log.debug("Closing {} failed: {}", file.path, e.toString());
            }
            file.channel = null;
        }
    }

    @Override
    public void close() {
        new ArrayList<>(open.values()).forEach(this::closeChannel);
    }

    // ------------------------------------------------------------------ per-file state

    /** Ray's {@code LogFileInfo}. */
    private static final class TailedFile {
        final Path path;
        final String pid;
        final boolean isError;
        String jobId;
        String actorName = "";
        String taskName = "";
        long position;
        Object fileKey;
        FileChannel channel;

        TailedFile(Path path) {
            this.path = path;
            String name = path.getFileName().toString();
            this.isError = name.endsWith("err");
            Matcher worker = WORKER_LOG_PATTERN.matcher(name);
            boolean isWorker = worker.lookingAt();
            Matcher runtimeEnv = RUNTIME_ENV_SETUP_PATTERN.matcher(name);
            this.pid = daemonPid(name).orElse(isWorker ? worker.group(2) : "");
            this.jobId = isWorker ? worker.group(1) : runtimeEnv.matches() ? runtimeEnv.group(1) : "";
        }

        /** The pid Ray publishes for daemon logs instead of a number. */
        private static Optional<String> daemonPid(String name) {
            if (name.startsWith("raylet")) {
                return Optional.of("raylet");
            } else if (name.startsWith("gcs_server")) {
                return Optional.of("gcs_server");
            } else if (name.startsWith("monitor") || name.contains("event_AUTOSCALER")) {
                return Optional.of("autoscaler");
            } else if (name.startsWith("runtime_env")) {
                return Optional.of("runtime_env");
            }
            return Optional.empty();
        }
    }

    /** The bytes of the line being assembled; decoded with replacement, trailing {@code \r} stripped. */
    private static final class LineBuffer {
        private byte[] bytes = new byte[256];
        private int length;

        void add(byte b) {
            if (length == bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.min(Math.max(bytes.length * 2, 256), MAX_LINE_BYTES));
            }
            bytes[length++] = b;
        }

        int length() {
            return length;
        }

        String decode() {
            int end = length;
            while (end > 0 && bytes[end - 1] == '\r') {
                end--;
            }
            return new String(bytes, 0, end, StandardCharsets.UTF_8);
        }

        void clear() {
            length = 0;
        }
    }
}
