package dev.stingray.logmonitor;

import dev.stingray.proto.LogBatch;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;

/**
 * The log monitor's main loop (Ray: {@code LogMonitor.run}): tail → publish, then again right away if
 * lines went out, otherwise after {@code pollInterval} (Ray sleeps 0.1 s when nothing was published).
 * A failing pass is logged and the loop goes on, so neither a bad file nor a GCS outage stops it.
 *
 * <p>Runs on its own thread {@code log-monitor}, started when the application is ready; {@link #close()}
 * stops it, then makes one last pass so lines written just before shutdown still go out.
 */
public final class LogMonitorLoop implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LogMonitorLoop.class);

    private final LogFileTailer tailer;
    private final LogPublisher publisher;
    private final Duration pollInterval;
    private final ScheduledThreadPoolExecutor executor;
    private final AtomicLong passes = new AtomicLong();
    private volatile boolean running;

    public LogMonitorLoop(LogFileTailer tailer, LogPublisher publisher, Duration pollInterval) {
        this.tailer = tailer;
        this.publisher = publisher;
        this.pollInterval = pollInterval;
        this.executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "log-monitor");
            t.setDaemon(true);
            return t;
        });
        // On shutdown, a pass waiting for its delay is cancelled rather than run.
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    @EventListener(ApplicationReadyEvent.class)
    public synchronized void start() {
        if (running || executor.isShutdown()) {
            return;
        }
        running = true;
        log.info("Tailing the logs in {}", tailer.logsDir());
        executor.execute(this::tick);
    }

    public boolean isRunning() {
        return running;
    }

    /** Passes completed so far (with or without lines). */
    public long passes() {
        return passes.get();
    }

    private void tick() {
        if (!running) {
            return;
        }
        boolean published = false;
        try {
            published = runOnce();
        } catch (RuntimeException e) {
            log.error("A log monitor pass failed; continuing", e);
        }
        passes.incrementAndGet();
        if (running) {
            executor.schedule(this::tick, published ? 0 : pollInterval.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** One tail → publish pass; true when new lines were read and delivered (Ray's {@code anything_published}). */
    boolean runOnce() {
        List<LogBatch> batches = tailer.poll();
        boolean delivered = publisher.publish(batches);
        return delivered && !batches.isEmpty();
    }

    @Override
    public void close() {
        boolean wasRunning;
        synchronized (this) {
            wasRunning = running;
            running = false;
        }
        executor.shutdown();
        try {
            if (!executor.awaitTermination(30, TimeUnit.SECONDS)) {
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
            return;
        }
        if (wasRunning) {
            try {
                runOnce();
            } catch (RuntimeException e) {
                log.debug("Last log monitor pass failed: {}", e.toString());
            }
        }
    }
}
