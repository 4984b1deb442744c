package dev.stingray.cli.command;

import dev.stingray.cli.ClusterAddress;
import dev.stingray.common.gcs.GcsClient;
import dev.stingray.common.session.SessionDir;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Option;

/** {@code --address} / {@code --temp-dir} shared by the commands that talk to a running cluster. */
public final class ClusterOptions {

    @Option(names = "--address", description = "GCS address HOST:PORT (default: the cluster recorded in <temp-dir>/stingray_current_cluster).")
    String address;

    @Option(names = "--temp-dir", defaultValue = SessionDir.DEFAULT_TEMP_DIR, description = "Where to look for stingray_current_cluster.")
    Path tempDir;

    public String gcsAddress() {
        return ClusterAddress.resolve(address, tempDir);
    }

    public GcsClient connect() {
        return new GcsClient(gcsAddress(), Duration.ofSeconds(10));
    }
}
