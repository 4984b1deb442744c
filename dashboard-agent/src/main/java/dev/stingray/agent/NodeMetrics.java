package dev.stingray.agent;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import oshi.SystemInfo;
import oshi.hardware.CentralProcessor;
import oshi.hardware.HardwareAbstractionLayer;
import oshi.hardware.NetworkIF;

/**
 * Node-level metrics with Ray's names (Ray: {@code dashboard/modules/reporter/reporter_agent.py},
 * {@code METRICS_GAUGES}): CPU utilization and count, memory, disk usage of one file system, and bytes
 * sent/received. All are gauges, as in Ray, tagged {@code ip} and {@code NodeId}; no base unit is set so
 * Prometheus shows exactly Ray's names ({@code ray_node_mem_total}, not {@code ..._bytes}).
 *
 * <p>Threading: OSHI is sampled on the single {@code node-metrics-sampler} thread every period and the
 * result cached in a volatile snapshot; a Prometheus scrape only reads the snapshot.
 */
public final class NodeMetrics implements MeterBinder, AutoCloseable {

    /** One sample of the node; byte counts in bytes, CPU utilization in percent. */
    public record Sample(double cpuUtilizationPercent, int cpuCount, long memTotal, long memAvailable,
            long diskUsed, long diskFree, long networkSent, long networkReceived) {

        public long memUsed() {
            return memTotal - memAvailable;
        }
    }

    private static final Logger log = LoggerFactory.getLogger(NodeMetrics.class);
    private static final Sample EMPTY = new Sample(Double.NaN, 0, 0, 0, 0, 0, 0, 0);

    private final Tags tags;
    private final Path diskPath;
    private final Duration period;
    private final HardwareAbstractionLayer hardware = new SystemInfo().getHardware();
    private final ScheduledExecutorService sampler;
    private long[] previousCpuTicks;
    private volatile Sample last = EMPTY;

    /**
     * @param nodeIp   the {@code ip} tag
     * @param nodeHex  the {@code NodeId} tag
     * @param diskPath a path on the file system whose usage is reported (Ray: the temp dir)
     * @param period   how often OSHI is sampled
     */
    public NodeMetrics(String nodeIp, String nodeHex, Path diskPath, Duration period) {
        this.tags = Tags.of("ip", nodeIp, "NodeId", nodeHex);
        this.diskPath = diskPath;
        this.period = period;
        this.sampler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "node-metrics-sampler");
            t.setDaemon(true);
            return t;
        });
    }

    /** Takes a first sample now (so the first scrape has values), then samples every period. */
    public NodeMetrics start() {
        sampler.submit(this::sampleSafely);
        sampler.scheduleWithFixedDelay(this::sampleSafely, period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
        try {
            sampler.submit(() -> { }).get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            log.warn("The first node metrics sample did not finish: {}", e.toString());
        }
        return this;
    }

    /** The latest cached sample (all zero / NaN before the first one). */
    public Sample last() {
        return last;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        gauge(registry, "ray_node_cpu_utilization", "Total CPU usage on a ray node (percent)", Sample::cpuUtilizationPercent);
        gauge(registry, "ray_node_cpu_count", "Total CPUs available on a ray node", Sample::cpuCount);
        gauge(registry, "ray_node_mem_used", "Memory usage on a ray node (bytes)", Sample::memUsed);
        gauge(registry, "ray_node_mem_available", "Memory available on a ray node (bytes)", Sample::memAvailable);
        gauge(registry, "ray_node_mem_total", "Total memory on a ray node (bytes)", Sample::memTotal);
        gauge(registry, "ray_node_disk_usage", "Total disk usage (bytes) on a ray node", Sample::diskUsed);
        gauge(registry, "ray_node_disk_free", "Total disk free (bytes) on a ray node", Sample::diskFree);
        gauge(registry, "ray_node_network_sent", "Total network sent (bytes)", Sample::networkSent);
        gauge(registry, "ray_node_network_received", "Total network received (bytes)", Sample::networkReceived);
    }

    private void gauge(MeterRegistry registry, String name, String description, ToDoubleFunction<Sample> value) {
        Gauge.builder(name, this, m -> value.applyAsDouble(m.last))
                .description(description)
                .tags(tags)
                .strongReference(true)
                .register(registry);
    }

    private void sampleSafely() {
        try {
            last = sample();
        } catch (RuntimeException | LinkageError e) {
            // A failing probe (e.g. an unreadable /proc file) must not stop later samples.
            log.warn("Could not sample node metrics: {}", e.toString());
        }
    }

    Sample sample() {
        CentralProcessor cpu = hardware.getProcessor();
        double cpuPercent = 0;
        long[] ticks = cpu.getSystemCpuLoadTicks();
        if (previousCpuTicks != null) {
            cpuPercent = 100 * cpu.getSystemCpuLoadBetweenTicks(previousCpuTicks);
        }
        previousCpuTicks = ticks;

        long total = hardware.getMemory().getTotal();
        long available = hardware.getMemory().getAvailable();

        long diskUsed = 0;
        long diskFree = 0;
        try {
            // psutil.disk_usage: used = (blocks - bfree) * frsize, free = bavail * frsize.
            FileStore store = Files.getFileStore(diskPath);
            diskUsed = store.getTotalSpace() - store.getUnallocatedSpace();
            diskFree = store.getUsableSpace();
        } catch (IOException e) {
            log.debug("Cannot read the file system of {}: {}", diskPath, e.toString());
        }

        long sent = 0;
        long received = 0;
        // Ray (reporter_agent.py::_get_network_stats) sums the interfaces whose name starts with "e"
        // (eth*, en*), leaving out loopback, docker and virtual bridges.
        for (NetworkIF nic : hardware.getNetworkIFs(true)) {
            if (nic.getName().startsWith("e")) {
                sent += nic.getBytesSent();
                received += nic.getBytesRecv();
            }
        }
        return new Sample(cpuPercent, cpu.getLogicalProcessorCount(), total, available, diskUsed, diskFree, sent, received);
    }

    @Override
    public void close() {
        sampler.shutdownNow();
    }
}
