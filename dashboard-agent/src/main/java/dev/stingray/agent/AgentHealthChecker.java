package dev.stingray.agent;

import dev.stingray.common.gcs.GcsClient;
import dev.stingray.common.id.NodeId;
import dev.stingray.proto.CheckAliveReply;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The checks behind the agent's health endpoints (Ray: {@code dashboard/modules/healthz/healthz_agent.py}
 * and {@code HealthChecker} in {@code dashboard/modules/reporter/utils.py}). Both ask the GCS with
 * {@code CheckAlive}: the raylet is healthy unless the GCS says this node is not alive; the GCS is
 * healthy when it answers {@code CheckAlive([])} within the timeout.
 *
 * <p>Thread-safe and stateless; every call is one blocking RPC with a deadline, run on the caller's
 * (HTTP request) thread.
 */
public final class AgentHealthChecker {

    /** Ray's body of a passing health check. */
    public static final String SUCCESS = "success";

    /** The outcome of one check; {@code message} is {@link #SUCCESS} when healthy. */
    public record Result(boolean healthy, String message) {

        static final Result OK = new Result(true, SUCCESS);

        static Result failed(String message) {
            return new Result(false, message);
        }
    }

    private static final Logger log = LoggerFactory.getLogger(AgentHealthChecker.class);

    private final GcsClient gcs;
    private final NodeId nodeId;
    private final Duration timeout;

    public AgentHealthChecker(GcsClient gcs, NodeId nodeId, Duration timeout) {
        this.gcs = gcs;
        this.nodeId = nodeId;
        this.timeout = timeout;
    }

    /**
     * Whether the local raylet is alive according to the GCS. An unreachable GCS (UNAVAILABLE, UNKNOWN,
     * DEADLINE_EXCEEDED) counts as healthy, as in Ray: the raylet exits on its own if the GCS does not
     * come back, and the agent fate-shares with it, so reporting failure here would only be a false
     * positive.
     */
    public Result checkLocalRaylet() {
        CheckAliveReply reply;
        try {
            reply = gcs.checkAlive(List.of(nodeId), timeout);
        } catch (StatusRuntimeException e) {
            Status.Code code = e.getStatus().getCode();
            if (code == Status.Code.UNAVAILABLE || code == Status.Code.UNKNOWN || code == Status.Code.DEADLINE_EXCEEDED) {
                log.debug("GCS at {} unreachable during the raylet health check ({}); treating the raylet as healthy",
                        gcs.address(), code);
                return Result.OK;
            }
            return Result.failed("Health check failed due to: " + describe(e));
        }
        if (reply.getRayletAliveCount() != 1) {
            return Result.failed("Local Raylet failed: the GCS at " + gcs.address() + " returned "
                    + reply.getRayletAliveCount() + " liveness entries for node " + nodeId.hex() + ", expected 1");
        }
        if (!reply.getRayletAlive(0)) {
            return Result.failed("Local Raylet failed: the GCS at " + gcs.address() + " reports node " + nodeId.hex() + " as not alive");
        }
        return Result.OK;
    }

    /** Whether the GCS answers {@code CheckAlive([])} within the timeout (only asked on the head node). */
    public Result checkGcs() {
        try {
            gcs.checkAlive(List.of(), timeout);
            return Result.OK;
        } catch (StatusRuntimeException e) {
            return Result.failed("GCS at " + gcs.address() + " failed its health check (timeout " + timeout.toMillis()
                    + " ms): " + describe(e));
        }
    }

    private static String describe(StatusRuntimeException e) {
        Status s = e.getStatus();
        return s.getDescription() == null ? s.getCode().toString() : s.getCode() + ": " + s.getDescription();
    }
}
