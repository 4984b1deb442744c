package dev.stingray.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** The processes of a local cluster that {@code Ray.init()} started, found by the temp dir the runtime reported. */
final class LocalClusterProcesses {

    private static final Pattern STARTED = Pattern.compile("Started a local Stingray cluster at \\S+ \\(temp dir (\\S+)\\)");

    private LocalClusterProcesses() {
    }

    /** The temp dir of the local cluster a program's output reports. */
    static Path tempDirOf(CliRun run) {
        Matcher m = STARTED.matcher(run.all());
        assertThat(m.find()).as("the runtime reports the local cluster it started:\n" + run.all()).isTrue();
        return Path.of(m.group(1));
    }

    /**
     * No process is left whose command line names the cluster's temp dir: daemons, workers, nothing (workers notice
     * their raylet's end within a second, so this waits a little).
     */
    static void assertAllGone(CliRun run) {
        Path temp = tempDirOf(run);
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(15)).untilAsserted(() ->
                assertThat(commandLinesNaming(temp.toString())).as("processes of the local cluster in " + temp).isEmpty());
    }

    static List<String> commandLinesNaming(String text) {
        List<String> found = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path proc : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                try {
                    String cmdline = new String(Files.readAllBytes(proc.resolve("cmdline")), StandardCharsets.UTF_8).replace('\0', ' ');
                    if (cmdline.contains(text)) {
                        found.add(proc.getFileName() + ": " + cmdline);
                    }
                } catch (IOException gone) {
                    // The process ended while we looked.
                }
            }
        } catch (IOException e) {
            throw new AssertionError("Cannot list /proc: " + e.getMessage(), e);
        }
        return found;
    }
}
