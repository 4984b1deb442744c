package dev.stingray.clientproxy;

import dev.stingray.common.error.ErrorCode;
import dev.stingray.common.error.StingrayException;
import dev.stingray.common.gcs.GcsClient;
import dev.stingray.proto.client.InitRequest;
import dev.stingray.runtime.DriverCoreWorker;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Ray Client sessions of this server, by {@code client_id}, and their connection lifecycle (Ray:
 * {@code python/ray/util/client/server/dataservicer.py} reconnect handling).
 *
 * <p>A client is connected while it holds at least one {@code Heartbeat} stream open (Stingray's
 * stand-in for Ray's long-lived {@code Datapath} stream: its cancellation is how a dead or disconnected
 * client is noticed). When the last one ends, the session is kept for the reconnect grace period; a
 * client that comes back within it ({@code Init} with {@code reconnecting=true}, new heartbeat) resumes
 * it with all its objects. After the period, the session's objects are released and its job marked
 * finished; a later reconnect fails NOT_FOUND with Ray's "session that has already been cleaned up"
 * message. A clean {@code Terminate} ends the session at once.
 *
 * <p>Thread-safe: connection state changes under this object's lock; driver start-up (GCS calls) too,
 * so two Inits of one client cannot create two jobs.
 */
final class ClientSessions implements AutoCloseable {

    /** Ray's message for a reconnect that came too late (dataservicer.py). */
    static final String CLEANED_UP = "Attempted to reconnect to a session that has already been cleaned up.";

    private static final Logger log = LoggerFactory.getLogger(ClientSessions.class);
    private static final int REMEMBERED_ENDED = 10_000;

    private final GcsClient gcs;
    private final String nodeIp;
    private final Duration gracePeriod;
    private final Map<String, ClientSession> sessions = new ConcurrentHashMap<>();
    private final Set<String> ended = Collections.newSetFromMap(new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > REMEMBERED_ENDED;
        }
    });
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "client-session-cleanup");
        t.setDaemon(true);
        return t;
    });

    ClientSessions(GcsClient gcs, String nodeIp, Duration gracePeriod) {
        this.gcs = gcs;
        this.nodeIp = nodeIp;
        this.gracePeriod = gracePeriod;
    }

    /**
     * Opens the client's session, or with {@code reconnecting} resumes it. A repeated Init without
     * {@code reconnecting} returns the existing session.
     *
     * @throws StingrayException NOT_FOUND when resuming a session that was already cleaned up
     */
    synchronized ClientSession init(String clientId, boolean reconnecting, InitRequest request) {
        requireClientId(clientId);
        ClientSession session = sessions.get(clientId);
        if (session != null) {
            log.info("Client {} {} its session (job {})", clientId, reconnecting ? "resumed" : "re-initialized", session.worker().jobId());
            return session;
        }
        if (reconnecting) {
            throw new StingrayException(ErrorCode.NOT_FOUND, CLEANED_UP + " (client_id " + clientId + ")");
        }
        long requested = request.getReconnectGracePeriodS() > 0 ? TimeUnit.SECONDS.toMillis(request.getReconnectGracePeriodS()) : Long.MAX_VALUE;
        long grace = Math.min(requested, gracePeriod.toMillis());
        var job = request.getJobConfig();
        DriverCoreWorker driver = DriverCoreWorker.start(gcs, new DriverCoreWorker.JobSpec(nodeIp, job.getNamespace(),
                job.getCodeSearchPathList(), job.getJvmOptionsList(), ProcessHandle.current().pid(), "ray client " + clientId, job.getRuntimeEnv()));
        session = new ClientSession(clientId, driver, gcs, grace, job.getRuntimeEnv());
        sessions.put(clientId, session);
        ended.remove(clientId);
        // Until the client opens its heartbeat, it counts as disconnected.
        scheduleCleanup(session);
        log.info("Client {} opened a session: job {}, namespace {}, reconnect grace period {} ms", clientId, driver.worker().jobId(),
                driver.namespace(), grace);
        return session;
    }

    /**
     * The client's live session.
     *
     * @throws StingrayException NOT_FOUND with Ray's message when it was cleaned up, FAILED_PRECONDITION
     *                           when the client never called Init
     */
    ClientSession require(String clientId) {
        requireClientId(clientId);
        ClientSession session = sessions.get(clientId);
        if (session != null) {
            return session;
        }
        synchronized (this) {
            if (ended.contains(clientId)) {
                throw new StingrayException(ErrorCode.NOT_FOUND, "The session of client " + clientId
                        + " has ended: it is a session that has already been cleaned up; call Init for a new one");
            }
        }
        throw new StingrayException(ErrorCode.FAILED_PRECONDITION, "No session for client " + clientId + ": call Init first");
    }

    /** The client's session, if it has one. */
    Optional<ClientSession> find(String clientId) {
        return Optional.ofNullable(sessions.get(clientId));
    }

    /** A heartbeat stream of the client opened: the client is connected. */
    synchronized void connected(ClientSession session) {
        session.openHeartbeats++;
        if (session.cleanup != null) {
            session.cleanup.cancel(false);
            session.cleanup = null;
        }
    }

    /** A heartbeat stream of the client ended; with none left, the grace period starts. */
    synchronized void disconnected(ClientSession session) {
        session.openHeartbeats = Math.max(0, session.openHeartbeats - 1);
        if (session.openHeartbeats == 0 && !session.closed) {
            log.info("Client {} disconnected; its session is kept for {} ms", session.clientId(), session.gracePeriodMs());
            scheduleCleanup(session);
        }
    }

    private void scheduleCleanup(ClientSession session) {
        if (session.cleanup != null) {
            session.cleanup.cancel(false);
        }
        session.cleanup = timers.schedule(() -> expire(session), session.gracePeriodMs(), TimeUnit.MILLISECONDS);
    }

    private void expire(ClientSession session) {
        synchronized (this) {
            if (session.openHeartbeats > 0 || session.closed) {
                return;
            }
            log.info("Client {} did not reconnect within {} ms: releasing its session", session.clientId(), session.gracePeriodMs());
        }
        end(session);
    }

    /** Ends the client's session now (Terminate). Returns whether there was one. */
    boolean terminate(String clientId) {
        ClientSession session = sessions.get(clientId);
        if (session == null) {
            return false;
        }
        end(session);
        return true;
    }

    private void end(ClientSession session) {
        synchronized (this) {
            if (session.closed) {
                return;
            }
            session.closed = true;
            if (session.cleanup != null) {
                session.cleanup.cancel(false);
            }
            sessions.remove(session.clientId(), session);
            ended.add(session.clientId());
        }
        try {
            session.close();
        } catch (RuntimeException e) {
            log.warn("Closing the session of client {} failed: {}", session.clientId(), e.toString());
        }
    }

    /** The live sessions' client ids (for tests and logs). */
    List<String> clientIds() {
        return List.copyOf(sessions.keySet());
    }

    private static void requireClientId(String clientId) {
        if (clientId == null || clientId.isBlank()) {
            throw new IllegalArgumentException("client_id metadata is missing: Ray Client calls must carry the client_id header");
        }
    }

    /** Ends every session (server shutdown): their jobs are marked finished. */
    @Override
    public void close() {
        for (ClientSession session : List.copyOf(sessions.values())) {
            end(session);
        }
        timers.shutdownNow();
    }
}
