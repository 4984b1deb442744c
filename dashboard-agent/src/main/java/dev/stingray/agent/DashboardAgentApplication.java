package dev.stingray.agent;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * The per-node dashboard agent (Ray: {@code python/ray/dashboard/agent.py}): serves the raylet and GCS
 * health checks over HTTP, exports node metrics to Prometheus, announces its address in the GCS's KV
 * (namespace {@code dashboard}) and exits when its raylet dies.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class DashboardAgentApplication {

    public static void main(String[] args) {
        SpringApplication.run(DashboardAgentApplication.class, args);
    }
}
