package dev.stingray.common.launch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Stops daemons as {@code ray stop} does: in buckets (every daemon but the GCS at once, so raylets
 * unregister from a live GCS; the GCS last), each bucket SIGTERM, then SIGKILL after a third of the
 * grace period; {@code force} sends SIGKILL at once. {@link #kill} is for a cluster whose state dies with it
 * (the embedded default): nothing to drain, so every process, with its workers, gets SIGKILL at once.
 */
public final class DaemonStopper {

    /** How long {@link #kill} waits for the killed processes to be gone. */
    static final Duration KILL_WAIT = Duration.ofSeconds(10);

    private DaemonStopper() {
    }

    /**
     * SIGKILL to the daemons and every process they started (workers), all at once, then waits until all of them
     * exited (at most {@link #KILL_WAIT}). The descendants are collected first: once a raylet is gone its workers are re-parented.
     */
    public static void kill(List<LaunchedDaemon> daemons) {
        List<ProcessHandle> all = new ArrayList<>();
        for (LaunchedDaemon d : daemons) {
            all.add(d.process());
            d.process().descendants().forEach(all::add);
        }
        all.forEach(ProcessHandle::destroyForcibly);
        // Polled rather than ProcessHandle.onExit(): for processes that are not our children (the workers) the JDK
        // notices an exit only after a back-off of up to seconds. A zombie has exited (an orphaned worker stays one
        // until the machine's init process gets round to reaping it).
        Instant deadline = Instant.now().plus(KILL_WAIT);
        while (all.stream().anyMatch(DaemonStopper::running) && Instant.now().isBefore(deadline)) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Alive and not a zombie ({@code /proc/<pid>/stat} state {@code Z}: exited, not yet reaped). */
    public static boolean running(ProcessHandle process) {
        if (!process.isAlive()) {
            return false;
        }
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"));
            int afterName = stat.lastIndexOf(')');
            return afterName < 0 || afterName + 2 >= stat.length() || stat.charAt(afterName + 2) != 'Z';
        } catch (IOException e) {
            // No /proc entry (gone) or no /proc at all (not Linux): trust isAlive().
            return process.isAlive();
        }
    }

    /** @return how many processes were running and were stopped */
    public static int stop(List<LaunchedDaemon> daemons, boolean force, Duration gracePeriod) {
        Map<Integer, List<LaunchedDaemon>> buckets = new TreeMap<>();
        for (LaunchedDaemon d : daemons) {
            buckets.computeIfAbsent(d.kind().stopBucket(), b -> new ArrayList<>()).add(d);
        }
        int stopped = 0;
        for (List<LaunchedDaemon> bucket : buckets.values()) {
            bucket.sort(Comparator.comparing(d -> d.kind().ordinal()));
            List<ProcessHandle> alive = new ArrayList<>();
            for (LaunchedDaemon d : bucket) {
                if (running(d.process())) {
                    alive.add(d.process());
                    if (force) {
                        d.process().destroyForcibly();
                    } else {
                        d.process().destroy();
                    }
                }
            }
            stopped += alive.size();
            Instant deadline = Instant.now().plus(gracePeriod.dividedBy(3));
            while (alive.stream().anyMatch(DaemonStopper::running) && Instant.now().isBefore(deadline)) {
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            alive.stream().filter(DaemonStopper::running).forEach(ProcessHandle::destroyForcibly);
        }
        return stopped;
    }
}
