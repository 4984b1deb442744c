package dev.stingray.agent;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Fate-sharing with the raylet (Ray: {@code dashboard/agent.py}, {@code _check_parent}, every 0.4 s):
 * checks every period whether the raylet process still exists and calls {@code onRayletDead} once
 * when it is gone. The handle taken at start remembers the process's start time, so a recycled pid
 * does not look alive; when the raylet is this process's parent, being re-parented (to init or a
 * subreaper) also counts as its death, which catches a raylet that is dead but not yet reaped.
 *
 * <p>Threading: checks run on the single {@code raylet-watcher} thread, which also runs the callback.
 */
public final class RayletWatcher implements AutoCloseable {

    private final long rayletPid;
    private final Duration period;
    private final Runnable onRayletDead;
    private final AtomicBoolean fired = new AtomicBoolean();
    private final ScheduledExecutorService scheduler;
    private Optional<ProcessHandle> raylet = Optional.empty();
    private boolean rayletIsParent;

    public RayletWatcher(long rayletPid, Duration period, Runnable onRayletDead) {
        if (rayletPid <= 0) {
            throw new IllegalArgumentException("Cannot watch raylet pid " + rayletPid + ": expected a positive process id");
        }
        this.rayletPid = rayletPid;
        this.period = period;
        this.onRayletDead = onRayletDead;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "raylet-watcher");
            t.setDaemon(true);
            return t;
        });
    }

    public RayletWatcher start() {
        raylet = ProcessHandle.of(rayletPid);
        rayletIsParent = parentPid() == rayletPid;
        scheduler.scheduleWithFixedDelay(this::check, 0, period.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    public long rayletPid() {
        return rayletPid;
    }

    /** Whether the raylet is still there. */
    public boolean isRayletAlive() {
        if (raylet.isEmpty() || !raylet.get().isAlive()) {
            return false;
        }
        return !rayletIsParent || parentPid() == rayletPid;
    }

    private void check() {
        if (!isRayletAlive() && fired.compareAndSet(false, true)) {
            scheduler.shutdown();
            onRayletDead.run();
        }
    }

    private static long parentPid() {
        return ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(-1L);
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
