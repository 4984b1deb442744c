package dev.stingray.common.launch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Real processes: a "daemon" (a shell) with a child of its own (a "worker"). */
class DaemonStopperTest {

    @Test
    void killStopsTheDaemonsAndTheProcessesTheyStartedAndReturnsWhenAllAreGone() throws Exception {
        Process shell = new ProcessBuilder("sh", "-c", "sleep 300 & wait").start();
        await().atMost(java.time.Duration.ofSeconds(5)).until(() -> shell.toHandle().children().findAny().isPresent());
        ProcessHandle child = shell.toHandle().children().findFirst().orElseThrow();
        LaunchedDaemon daemon = new LaunchedDaemon(DaemonKind.RAYLET, "ab", shell.toHandle(), Path.of("x.out"), Path.of("x.err"));

        DaemonStopper.kill(List.of(daemon));

        assertThat(DaemonStopper.running(shell.toHandle())).isFalse();
        assertThat(DaemonStopper.running(child)).isFalse();
    }

    @Test
    void stopSignalsEachBucketAndReportsHowManyWereRunning() throws Exception {
        Process a = new ProcessBuilder("sleep", "300").start();
        Process b = new ProcessBuilder("sleep", "300").start();
        List<LaunchedDaemon> daemons = List.of(
                new LaunchedDaemon(DaemonKind.GCS_SERVER, "ab", a.toHandle(), Path.of("a.out"), Path.of("a.err")),
                new LaunchedDaemon(DaemonKind.LOG_MONITOR, "ab", b.toHandle(), Path.of("b.out"), Path.of("b.err")));

        assertThat(DaemonStopper.stop(daemons, false, java.time.Duration.ofSeconds(3))).isEqualTo(2);

        assertThat(DaemonStopper.running(a.toHandle())).isFalse();
        assertThat(DaemonStopper.running(b.toHandle())).isFalse();
    }
}
