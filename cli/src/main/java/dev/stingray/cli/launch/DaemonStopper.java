package dev.stingray.cli.launch;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Stops daemons as {@code ray stop} does: in buckets (raylets first, so they unregister from a live
 * GCS; then the other daemons; the GCS last), each bucket SIGTERM, then SIGKILL after a third of the
 * grace period; {@code force} sends SIGKILL at once.
 */
public final class DaemonStopper {

    private DaemonStopper() {
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
                if (d.process().isAlive()) {
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
            while (alive.stream().anyMatch(ProcessHandle::isAlive) && Instant.now().isBefore(deadline)) {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            alive.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
        }
        return stopped;
    }
}
