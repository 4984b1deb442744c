package dev.stingray.agent;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The agent's health endpoints, with Ray's paths and plain-text bodies
 * (Ray: {@code dashboard/modules/healthz/healthz_agent.py}): {@code 200 success} or {@code 503} with
 * a message saying what failed. KubeRay probes these paths.
 */
@RestController
public class HealthzController {

    private final AgentHealthChecker checker;
    private final boolean headNode;

    public HealthzController(AgentHealthChecker checker, DashboardAgentProperties properties) {
        this.checker = checker;
        this.headNode = properties.isHeadNode();
    }

    /** Ray's {@code GET /api/local_raylet_healthz}: whether the GCS considers this node's raylet alive. */
    @GetMapping(path = "/api/local_raylet_healthz", produces = MediaType.TEXT_PLAIN_VALUE)
    public ResponseEntity<String> localRayletHealthz() {
        return respond(checker.checkLocalRaylet());
    }

    /**
     * Ray's {@code GET /api/healthz}: the raylet check, plus on the head node the GCS check. On failure
     * the body lists both results, e.g. {@code raylet: success\ngcs: GCS at ... failed ...}.
     */
    @GetMapping(path = "/api/healthz", produces = MediaType.TEXT_PLAIN_VALUE)
    public ResponseEntity<String> healthz() {
        AgentHealthChecker.Result raylet = checker.checkLocalRaylet();
        AgentHealthChecker.Result gcs = headNode ? checker.checkGcs() : AgentHealthChecker.Result.OK;
        if (raylet.healthy() && gcs.healthy()) {
            return respond(raylet);
        }
        return respond(new AgentHealthChecker.Result(false, "raylet: " + raylet.message() + "\ngcs: " + gcs.message()));
    }

    private static ResponseEntity<String> respond(AgentHealthChecker.Result result) {
        return ResponseEntity.status(result.healthy() ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE)
                .contentType(MediaType.TEXT_PLAIN)
                .body(result.message());
    }
}
