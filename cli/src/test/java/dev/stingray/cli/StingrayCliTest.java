package dev.stingray.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line end to end in-process: exit codes, messages, and {@code stop}'s pid-file safety. */
class StingrayCliTest {

    @TempDir
    Path temp;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        return StingrayCli.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
    }

    @Test
    void startWithoutHeadOrAddressExitsOneWithTheReason() {
        int status = run("start", "--temp-dir", temp.toString());

        assertThat(status).isEqualTo(1);
        assertThat(err.toString()).contains("Error: Pass --head to start a new cluster, or --address=HOST:PORT to join one");
        assertThat(temp).isEmptyDirectory();
    }

    @Test
    void startWithHeadAndAddressExitsOne() {
        int status = run("start", "--head", "--address=1.2.3.4:5", "--temp-dir", temp.toString());

        assertThat(status).isEqualTo(1);
        assertThat(err.toString()).contains("Error: --head and --address exclude each other");
        assertThat(temp).isEmptyDirectory();
    }

    @Test
    void startRejectsBadResourcesBeforeLaunchingAnything() {
        int status = run("start", "--head", "--resources={\"CPU\": 2}", "--temp-dir", temp.toString());

        assertThat(status).isEqualTo(1);
        assertThat(err.toString()).contains("--num-cpus");
        assertThat(temp).isEmptyDirectory();
    }

    @Test
    void statusWithoutAClusterTellsHowToStartOne() {
        int status = run("status", "--temp-dir", temp.toString());

        assertThat(status).isEqualTo(1);
        assertThat(err.toString()).contains("Error: No running cluster found").contains("stingray start --head");
    }

    @Test
    void statusAgainstANonListeningAddressPrintsTheGrpcStatusInOneLine() throws IOException {
        int freePort;
        try (ServerSocket s = new ServerSocket(0)) {
            freePort = s.getLocalPort();
        }

        int status = run("status", "--address=127.0.0.1:" + freePort);

        assertThat(status).isEqualTo(1);
        assertThat(err.toString()).startsWith("Error: UNAVAILABLE").doesNotContain("\tat ");
    }

    @Test
    void stopOnAnEmptyTempDirFindsNothingAndRemovesAStaleCurrentClusterFile() throws IOException {
        Files.writeString(temp.resolve("stingray_current_cluster"), "127.0.0.1:6379");

        int status = run("stop", "--temp-dir", temp.toString());

        assertThat(status).isZero();
        assertThat(out.toString()).contains("Did not find any active Stingray processes.");
        assertThat(temp.resolve("stingray_current_cluster")).doesNotExist();
    }

    @Test
    void stopLeavesAProcessAloneWhosePidFileIsNotAStingrayJar() throws IOException {
        Process sleep = new ProcessBuilder("sleep", "30").start();
        try {
            Path session = Files.createDirectories(temp.resolve("session_2026-01-01_00-00-00_000000_1"));
            Path pidFile = session.resolve("raylet_" + "ab".repeat(28) + ".pid");
            Files.writeString(pidFile, Long.toString(sleep.pid()));
            Files.writeString(session.resolve("gcs_server_" + "cd".repeat(28) + ".pid"), "not-a-pid");

            int status = run("stop", "--temp-dir", temp.toString());

            assertThat(status).isZero();
            assertThat(out.toString()).contains("Did not find any active Stingray processes.");
            assertThat(sleep.isAlive()).isTrue();
            assertThat(pidFile).doesNotExist();
        } finally {
            sleep.destroyForcibly();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> !sleep.isAlive());
    }
}
