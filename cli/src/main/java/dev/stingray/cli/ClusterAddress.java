package dev.stingray.cli;

import dev.stingray.common.rpc.HostAndPort;
import dev.stingray.common.session.SessionDir;
import java.nio.file.Files;
import java.nio.file.Path;

/** Where commands find the cluster: {@code --address}, else {@code <temp>/stingray_current_cluster} (Ray: {@code ray_current_cluster}). */
public final class ClusterAddress {

    private ClusterAddress() {
    }

    public static String resolve(String address, Path tempDir) {
        if (address != null && !address.isBlank()) {
            return HostAndPort.parse(address).toString();
        }
        Path file = tempDir.resolve(SessionDir.CURRENT_CLUSTER_FILE);
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("No running cluster found: " + file + " does not exist. Pass --address=HOST:PORT"
                    + " or start a cluster with `stingray start --head`.");
        }
        return SessionDir.readTrimmed(file).map(a -> HostAndPort.parse(a).toString())
                .orElseThrow(() -> new IllegalArgumentException(file + " is empty; pass --address=HOST:PORT"));
    }
}
