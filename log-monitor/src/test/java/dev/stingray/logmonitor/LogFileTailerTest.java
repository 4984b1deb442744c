package dev.stingray.logmonitor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stingray.proto.LogBatch;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogFileTailerTest {

    private static final String WORKER_ID = "a1".repeat(28);
    private static final String WORKER_OUT = "worker-" + WORKER_ID + "-01000000-1234.out";

    @TempDir
    Path logs;

    private LogFileTailer tailer;

    @BeforeEach
    void setUp() {
        tailer = new LogFileTailer(logs, "10.0.0.7", 1000, 200, false);
    }

    @AfterEach
    void tearDown() {
        tailer.close();
    }

    @Test
    void newLinesArePublishedOnce() throws IOException {
        append(WORKER_OUT, "a\nb\n");

        assertThat(lines(tailer.poll())).containsExactly("a", "b");
        assertThat(tailer.poll()).isEmpty();

        append(WORKER_OUT, "c\n");
        assertThat(lines(tailer.poll())).containsExactly("c");
        assertThat(tailer.poll()).isEmpty();
    }

    @Test
    void partialLineWaitsForItsNewline() throws IOException {
        append(WORKER_OUT, "done\nhal");
        assertThat(lines(tailer.poll())).containsExactly("done");

        assertThat(tailer.poll()).isEmpty();

        append(WORKER_OUT, "f\n");
        assertThat(lines(tailer.poll())).containsExactly("half");
    }

    @Test
    void stripsCarriageReturnsAndReplacesInvalidUtf8() throws IOException {
        Files.write(logs.resolve(WORKER_OUT), new byte[] {'x', '\r', '\n', (byte) 0xff, 'y', '\n', (byte) 0xc3, (byte) 0xa9, '\n'});

        assertThat(lines(tailer.poll())).containsExactly("x", "\uFFFDy", "é");
    }

    @Test
    void readsAtMostMaxLinesPerFilePerPass() throws IOException {
        append(WORKER_OUT, IntStream.range(0, 2500).mapToObj(i -> "line " + i + "\n").collect(Collectors.joining()));

        List<LogBatch> first = tailer.poll();
        List<LogBatch> second = tailer.poll();
        List<LogBatch> third = tailer.poll();

        assertThat(lines(first)).hasSize(1000).startsWith("line 0").endsWith("line 999");
        assertThat(lines(second)).hasSize(1000).startsWith("line 1000");
        assertThat(lines(third)).hasSize(500).endsWith("line 2499");
        assertThat(tailer.poll()).isEmpty();
    }

    @Test
    void markersSetMetadataAndAreNotPublished() throws IOException {
        append(WORKER_OUT, String.join("\n",
                ":job_id:02000000", "a", ":task_name:f", "b", ":actor_name:Counter", "c", ":task_name:Counter.incr", "d") + "\n");

        List<LogBatch> batches = tailer.poll();

        assertThat(batches).extracting(b -> List.copyOf(b.getLinesList()))
                .containsExactly(List.of("a"), List.of("b"), List.of("c"), List.of("d"));
        assertThat(batches).extracting(LogBatch::getJobId).containsOnly("02000000");
        assertThat(batches).extracting(LogBatch::getTaskName).containsExactly("", "f", "", "Counter.incr");
        assertThat(batches).extracting(LogBatch::getActorName).containsExactly("", "", "Counter", "Counter");

        // The names stick to the file for later passes.
        append(WORKER_OUT, "e\n");
        LogBatch later = tailer.poll().get(0);
        assertThat(later.getActorName()).isEqualTo("Counter");
        assertThat(later.getTaskName()).isEqualTo("Counter.incr");
        assertThat(later.getJobId()).isEqualTo("02000000");
    }

    @Test
    void jobMarkerAppliesToTheBatchBeingCollectedAsInRay() throws IOException {
        append(WORKER_OUT, "before\n:job_id:03000000\nafter\n");

        List<LogBatch> batches = tailer.poll();

        assertThat(batches).singleElement().satisfies(b -> {
            assertThat(b.getLinesList()).containsExactly("before", "after");
            assertThat(b.getJobId()).isEqualTo("03000000");
        });
    }

    @Test
    void workerFileNameGivesPidAndJob() throws IOException {
        append(WORKER_OUT, "out\n");
        append("worker-" + WORKER_ID + "-0a000000-99.err", "err\n");

        List<LogBatch> batches = tailer.poll();

        LogBatch out = batches.stream().filter(b -> b.getLines(0).equals("out")).findFirst().orElseThrow();
        assertThat(out.getPid()).isEqualTo("1234");
        assertThat(out.getJobId()).isEqualTo("01000000");
        assertThat(out.getIp()).isEqualTo("10.0.0.7");
        assertThat(out.getIsError()).isFalse();
        LogBatch err = batches.stream().filter(b -> b.getLines(0).equals("err")).findFirst().orElseThrow();
        assertThat(err.getPid()).isEqualTo("99");
        assertThat(err.getJobId()).isEqualTo("0a000000");
        assertThat(err.getIsError()).isTrue();
    }

    @Test
    void daemonLogsUseTheirNamesAsPid() throws IOException {
        append("raylet.err", "r\n");
        append("gcs_server.err", "g\n");
        append("monitor.log", "m\n");
        Files.createDirectories(logs.resolve("events"));
        append("events/event_AUTOSCALER.log", "e\n");

        List<LogBatch> batches = tailer.poll();

        assertThat(batches).extracting(b -> b.getLines(0) + "=" + b.getPid() + "," + b.getIsError() + "," + b.getJobId())
                .containsExactlyInAnyOrder("r=raylet,true,", "g=gcs_server,true,", "m=autoscaler,false,", "e=autoscaler,false,");
    }

    @Test
    void runtimeEnvLogsOnlyWhenEnabled() throws IOException {
        append("runtime_env_setup-04000000.log", "setting up\n");
        assertThat(tailer.poll()).isEmpty();

        try (LogFileTailer enabled = new LogFileTailer(logs, "10.0.0.7", 1000, 200, true)) {
            LogBatch batch = enabled.poll().get(0);
            assertThat(batch.getLinesList()).containsExactly("setting up");
            assertThat(batch.getPid()).isEqualTo("runtime_env");
            assertThat(batch.getJobId()).isEqualTo("04000000");
        }
    }

    @Test
    void filesMatchingNoPatternAreIgnored() throws IOException {
        for (String name : List.of("raylet.out", "gcs_server.out", "dashboard.log", "log_monitor.log",
                "python-core-worker-abc_12.log", "worker-abc.txt", "monitor.out")) {
            append(name, "ignored\n");
        }

        assertThat(tailer.poll()).isEmpty();
        assertThat(tailer.trackedFileCount()).isZero();
    }

    @Test
    void truncatedFileIsReadAgainFromTheStart() throws IOException {
        append(WORKER_OUT, "a rather long first line\nand a second one\n");
        assertThat(lines(tailer.poll())).hasSize(2);

        Files.writeString(logs.resolve(WORKER_OUT), "new\n", StandardOpenOption.TRUNCATE_EXISTING);

        assertThat(lines(tailer.poll())).containsExactly("new");
    }

    @Test
    void rotatedFileIsReadFromItsStartWithoutRepeatingTheOldOne() throws IOException {
        append(WORKER_OUT, "old1\n");
        assertThat(lines(tailer.poll())).containsExactly("old1");

        Files.move(logs.resolve(WORKER_OUT), logs.resolve(WORKER_OUT + ".1"));
        append(WORKER_OUT, "new1\n"); // same size as before: only the file key tells it apart

        assertThat(lines(tailer.poll())).containsExactly("new1");
        append(WORKER_OUT, "new2\n");
        assertThat(lines(tailer.poll())).containsExactly("new2");
    }

    @Test
    void deletedFileIsForgottenAndNewFilesArePickedUp() throws IOException {
        append(WORKER_OUT, "a\n");
        assertThat(tailer.poll()).hasSize(1);

        Files.delete(logs.resolve(WORKER_OUT));
        assertThat(tailer.poll()).isEmpty();
        assertThat(tailer.trackedFileCount()).isZero();

        append("raylet.err", "later\n");
        assertThat(lines(tailer.poll())).containsExactly("later");
    }

    @Test
    void keepsAtMostMaxOpenFiles() throws IOException {
        try (LogFileTailer small = new LogFileTailer(logs, "10.0.0.7", 1000, 2, false)) {
            for (int pid = 1; pid <= 5; pid++) {
                append("worker-" + WORKER_ID + "-01000000-" + pid + ".out", "first " + pid + "\n");
            }
            assertThat(small.poll()).hasSize(5);
            assertThat(small.openFileCount()).isEqualTo(2);

            for (int pid = 1; pid <= 5; pid++) {
                append("worker-" + WORKER_ID + "-01000000-" + pid + ".out", "second " + pid + "\n");
            }
            assertThat(lines(small.poll())).containsExactlyInAnyOrder(
                    "second 1", "second 2", "second 3", "second 4", "second 5");
            assertThat(small.openFileCount()).isEqualTo(2);
        }
    }

    @Test
    void missingLogsDirectoryIsNotAnError() {
        try (LogFileTailer missing = new LogFileTailer(logs.resolve("nope"), "10.0.0.7", 1000, 200, false)) {
            assertThat(missing.poll()).isEmpty();
        }
    }

    private void append(String name, String text) throws IOException {
        Files.writeString(logs.resolve(name), text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    private static List<String> lines(List<LogBatch> batches) {
        return batches.stream().flatMap(b -> b.getLinesList().stream()).toList();
    }
}
