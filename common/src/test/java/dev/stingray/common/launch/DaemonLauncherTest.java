package dev.stingray.common.launch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.stingray.common.session.SessionDir;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Readiness through ready files, with real processes standing in for daemons. */
class DaemonLauncherTest {

    @TempDir
    Path temp;

    private Process sleeper;

    @AfterEach
    void kill() {
        if (sleeper != null) {
            sleeper.destroyForcibly();
        }
    }

    private LaunchedDaemon daemon(DaemonKind kind, Process process, SessionDir session) {
        return new LaunchedDaemon(kind, "ab", process.toHandle(), session.logsDir().resolve("x.out"), session.logsDir().resolve("x.err"));
    }

    @Test
    void awaitReadyReturnsOnceEveryReadyFileAppearsAndNotBefore() throws Exception {
        SessionDir session = SessionDir.create(temp, "session_a");
        sleeper = new ProcessBuilder("sleep", "60").start();
        DaemonLauncher launcher = new DaemonLauncher(temp, session, Map.of(), false);
        List<LaunchedDaemon> daemons = List.of(daemon(DaemonKind.GCS_SERVER, sleeper, session), daemon(DaemonKind.RAYLET, sleeper, session));

        CompletableFuture<Void> waiting = CompletableFuture.runAsync(() -> launcher.awaitReady(daemons, Duration.ofSeconds(30)));
        SessionDir.writeAtomically(session.readyFile("gcs_server", "ab"), "1");
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> !waiting.isDone());
        SessionDir.writeAtomically(session.readyFile("raylet", "ab"), "1");

        waiting.get(5, TimeUnit.SECONDS);
    }

    @Test
    void awaitReadyFailsAtOnceNamingTheDaemonWhenItExits() throws Exception {
        SessionDir session = SessionDir.create(temp, "session_b");
        Files.writeString(session.logsDir().resolve("x.err"), "Address already in use\n");
        Process dead = new ProcessBuilder("true").start();
        dead.waitFor();
        DaemonLauncher launcher = new DaemonLauncher(temp, session, Map.of(), false);

        long start = System.nanoTime();
        assertThatThrownBy(() -> launcher.awaitReady(List.of(daemon(DaemonKind.GCS_SERVER, dead, session)), Duration.ofSeconds(60)))
                .hasMessageContaining("gcs_server").hasMessageContaining("exited during start-up").hasMessageContaining("Address already in use");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));
    }

    @Test
    void awaitReadyTimesOutNamingTheLateDaemon() throws Exception {
        SessionDir session = SessionDir.create(temp, "session_c");
        sleeper = new ProcessBuilder("sleep", "60").start();
        DaemonLauncher launcher = new DaemonLauncher(temp, session, Map.of(), false);

        assertThatThrownBy(() -> launcher.awaitReady(List.of(daemon(DaemonKind.LOG_MONITOR, sleeper, session)), Duration.ofMillis(500)))
                .hasMessageContaining("log_monitor was not ready within");
    }
}
