package dev.stingray.e2e;

import dev.stingray.common.gcs.GcsClient;
import java.time.Duration;

/**
 * A one-node cluster started by the CLI with shrunk health checks, this JVM's driver connected to it,
 * and a GCS client for checking the GCS's tables: the setup of the actor and placement-group tests.
 */
final class DriverCluster implements AutoCloseable {

    final StingrayCliDriver cli;
    final StingrayNode head;
    final String gcsAddress;
    final GcsClient gcs;

    private DriverCluster(StingrayCliDriver cli, StingrayNode head) {
        this.cli = cli;
        this.head = head;
        this.gcsAddress = StingrayCliDriver.gcsAddress(head);
        this.gcs = new GcsClient(gcsAddress, Duration.ofSeconds(10));
    }

    /** Starts a two-CPU head and connects the driver to it. */
    static DriverCluster start() {
        StingrayCliDriver cli = new StingrayCliDriver(StingrayCliDriver.FAST_HEALTH_CHECKS);
        DriverCluster cluster = new DriverCluster(cli, cli.startHead("--num-cpus=2"));
        TestDriver.init(cluster.gcsAddress);
        return cluster;
    }

    /** Shuts the driver down, then stops every node (also after a failed test). */
    @Override
    public void close() {
        try {
            TestDriver.shutdown();
        } finally {
            gcs.close();
            cli.close();
        }
    }
}
