package dev.stingray.common.boot;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Ends a daemon on purpose (GCS gone too long, node marked DEAD, ...): logs why, closes the Spring
 * context (graceful shutdown hooks run) and exits with the given status. Runs on its own thread so
 * it can be called from any callback.
 */
public class DaemonExit {

    private static final Logger log = LoggerFactory.getLogger(DaemonExit.class);

    private final ConfigurableApplicationContext context;

    public DaemonExit(ConfigurableApplicationContext context) {
        this.context = context;
    }

    public void exit(int status, String reason) {
        log.error(reason);
        System.err.println(reason);
        Thread t = new Thread(() -> System.exit(SpringApplication.exit(context, () -> status)), "daemon-exit");
        // Not a daemon thread: the JVM must not end (with status 0) before System.exit runs.
        t.setDaemon(false);
        t.start();
    }
}
