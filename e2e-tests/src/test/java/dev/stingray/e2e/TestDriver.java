package dev.stingray.e2e;

import io.ray.api.Ray;
import java.nio.file.Path;

/**
 * The test JVM's own Ray driver: {@code Ray.init()} at an address (a GCS {@code host:port} or
 * {@code ray://host:port}) with the test classes as the job's code search path, and its shutdown.
 */
final class TestDriver {

    private TestDriver() {
    }

    /**
     * Connects this JVM to the cluster at {@code address} as an ordinary Ray Java program would. An in-cluster driver
     * names the test classes as its code search path (the workers are on this machine); a Ray Client gives none, so
     * its own class path is shipped to the cluster as packages, as a user's program's is.
     */
    static void init(String address) {
        System.setProperty("ray.address", address);
        if (!address.startsWith("ray://")) {
            System.setProperty("ray.job.code-search-path", Path.of("target/test-classes").toAbsolutePath().toString());
        }
        Ray.init();
    }

    /** Shuts the driver down (when it started) and clears its settings. */
    static void shutdown() {
        try {
            if (Ray.isInitialized()) {
                Ray.shutdown();
            }
        } finally {
            System.clearProperty("ray.address");
            System.clearProperty("ray.job.code-search-path");
        }
    }
}
