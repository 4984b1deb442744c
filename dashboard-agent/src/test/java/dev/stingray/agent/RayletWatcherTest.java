package dev.stingray.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RayletWatcherTest {

    private static final Duration PERIOD = Duration.ofMillis(50);

    @Test
    void callsBackOnceWhenTheWatchedProcessExits() throws Exception {
        Process raylet = new ProcessBuilder("sleep", "1").start();
        AtomicInteger deaths = new AtomicInteger();
        try (RayletWatcher watcher = new RayletWatcher(raylet.pid(), PERIOD, deaths::incrementAndGet).start()) {
            assertThat(watcher.isRayletAlive()).isTrue();
            assertThat(deaths).hasValue(0);

            await().atMost(Duration.ofSeconds(10)).until(() -> deaths.get() == 1);

            assertThat(raylet.isAlive()).isFalse();
            assertThat(watcher.isRayletAlive()).isFalse();
            await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> deaths.get() == 1);
        }
    }

    @Test
    void doesNotCallBackWhileTheProcessLivesAndDoesWhenItIsKilled() throws Exception {
        Process raylet = new ProcessBuilder("sleep", "60").start();
        AtomicInteger deaths = new AtomicInteger();
        try (RayletWatcher watcher = new RayletWatcher(raylet.pid(), PERIOD, deaths::incrementAndGet).start()) {
            await().during(Duration.ofMillis(400)).atMost(Duration.ofSeconds(2)).until(() -> deaths.get() == 0);

            raylet.destroyForcibly().waitFor();

            await().atMost(Duration.ofSeconds(10)).until(() -> deaths.get() == 1);
        } finally {
            raylet.destroyForcibly();
        }
    }

    @Test
    void aPidWithoutProcessIsDeadAtTheFirstCheck() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        AtomicInteger deaths = new AtomicInteger();
        try (RayletWatcher watcher = new RayletWatcher(gone.pid(), PERIOD, deaths::incrementAndGet).start()) {
            await().atMost(Duration.ofSeconds(5)).until(() -> deaths.get() == 1);
        }
    }

    @Test
    void rejectsANonPositivePid() {
        assertThatThrownBy(() -> new RayletWatcher(0, PERIOD, () -> { }))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("raylet pid 0");
    }
}
