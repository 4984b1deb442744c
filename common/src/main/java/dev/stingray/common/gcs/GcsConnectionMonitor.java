package dev.stingray.common.gcs;

import com.google.protobuf.ByteString;
import dev.stingray.common.id.NodeId;
import dev.stingray.proto.CheckAliveReply;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pings the GCS with {@code CheckAlive} every period and tells listeners what it learns: whether the
 * GCS is reachable (daemon readiness), whether it restarted (a new instance id: re-register), whether
 * this node is still alive in the node table, and when the GCS has been unreachable for longer than
 * Ray's {@code gcs_rpc_server_reconnect_timeout_s} (the daemon exits with a clear message).
 *
 * <p>Runs on its own single scheduler thread; listeners are called on it, one at a time.
 */
public final class GcsConnectionMonitor implements AutoCloseable {

    /** Callbacks; each has a no-op default. */
    public interface Listener {
        /** The GCS answered for the first time, or again with a different instance id. */
        default void onGcsConnected(ByteString instanceId, boolean restarted) {
        }

        /** The GCS says the watched node is not alive (only asked when a node id is watched). */
        default void onNodeNotAlive() {
        }

        /** The GCS stayed unreachable for longer than the reconnect timeout. */
        default void onReconnectTimeout(Duration unreachableFor) {
        }
    }

    private static final Logger log = LoggerFactory.getLogger(GcsConnectionMonitor.class);
    static final Duration FIRST_CONTACT_PERIOD = Duration.ofMillis(50);

    private final GcsClient gcs;
    private final Duration period;
    private final Duration reconnectTimeout;
    private final Clock clock;
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService scheduler;
    private volatile NodeId watchedNode;
    private volatile boolean reachable;
    private volatile ByteString instanceId = ByteString.EMPTY;
    private volatile Instant lastContact;
    private boolean timeoutReported;

    public GcsConnectionMonitor(GcsClient gcs, Duration period, Duration reconnectTimeout, Clock clock) {
        this.gcs = gcs;
        this.period = period;
        this.reconnectTimeout = reconnectTimeout;
        this.clock = clock;
        this.lastContact = clock.instant();
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "gcs-connection-monitor");
            t.setDaemon(true);
            return t;
        });
    }

    public void addListener(Listener listener) {
        listeners.add(listener);
    }

    /** Also ask whether this node is alive on every check (raylets: exit when marked DEAD). */
    public void watchNode(NodeId node) {
        this.watchedNode = node;
    }

    /**
     * Checks now, then every period. Until the first contact (daemons start at the same time as the GCS) it checks
     * every {@link #FIRST_CONTACT_PERIOD} and resets the channel's reconnect back-off first, so a daemon is ready
     * within that much of the GCS instead of a back-off step (gRPC: 1 s, growing) later.
     */
    public GcsConnectionMonitor start() {
        scheduler.execute(this::checkAndReschedule);
        return this;
    }

    private void checkAndReschedule() {
        boolean firstContact = instanceId.isEmpty();
        if (firstContact) {
            gcs.channel().resetConnectBackoff();
        }
        try {
            check();
        } finally {
            Duration next = instanceId.isEmpty() ? FIRST_CONTACT_PERIOD : period;
            if (!scheduler.isShutdown()) {
                scheduler.schedule(this::checkAndReschedule, next.toMillis(), TimeUnit.MILLISECONDS);
            }
        }
    }

    public boolean isReachable() {
        return reachable;
    }

    public ByteString instanceId() {
        return instanceId;
    }

    void check() {
        NodeId node = watchedNode;
        CheckAliveReply reply;
        try {
            reply = gcs.checkAlive(node == null ? List.of() : List.of(node), Duration.ofMillis(Math.max(500, period.toMillis())));
        } catch (RuntimeException e) {
            if (reachable) {
                log.warn("Lost connection to the GCS at {}: {}", gcs.address(), e.getMessage());
            }
            reachable = false;
            Duration down = Duration.between(lastContact, clock.instant());
            if (down.compareTo(reconnectTimeout) > 0 && !timeoutReported) {
                timeoutReported = true;
                listeners.forEach(l -> l.onReconnectTimeout(down));
            }
            return;
        }
        lastContact = clock.instant();
        timeoutReported = false;
        reachable = true;
        ByteString id = reply.getGcsInstanceId();
        if (!id.equals(instanceId)) {
            boolean restarted = !instanceId.isEmpty();
            instanceId = id;
            if (restarted) {
                log.info("The GCS at {} restarted; re-registering", gcs.address());
            }
            listeners.forEach(l -> l.onGcsConnected(id, restarted));
            return;
        }
        if (node != null && reply.getRayletAliveCount() == 1 && !reply.getRayletAlive(0)) {
            listeners.forEach(Listener::onNodeNotAlive);
        }
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
