package dev.stingray.common.version;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * The Stingray version of this process's jars ({@code META-INF/stingray/version.properties}, filled in by the
 * build). A Ray Client and its server, or a driver and its cluster, compare theirs: processes of different versions
 * may not speak the same protocol, and the workers would run the job with another runtime than the driver's.
 */
public final class StingrayVersion {

    private static final String CURRENT = load();

    private StingrayVersion() {
    }

    /** This process's Stingray version, e.g. {@code 0.1.0-SNAPSHOT}. */
    public static String current() {
        return CURRENT;
    }

    /**
     * The error for a driver and a cluster of different versions, naming both and what to do; empty when they match
     * (or one side did not say, as processes older than this check).
     *
     * @param driverVersion  the driver's (or Ray Client's) Stingray version
     * @param clusterVersion the cluster's (its GCS's or Ray Client server's)
     * @param cluster        where the cluster is, for the message
     */
    public static java.util.Optional<String> mismatch(String driverVersion, String clusterVersion, String cluster) {
        if (driverVersion == null || driverVersion.isBlank() || clusterVersion == null || clusterVersion.isBlank()
                || driverVersion.equals(clusterVersion)) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of("Stingray version mismatch: the driver runs Stingray " + driverVersion + " but the cluster at "
                + cluster + " runs Stingray " + clusterVersion + ". Use the dependency dev.stingray:stingray-runtime:" + clusterVersion
                + " in the driver's project, or connect to a cluster of version " + driverVersion);
    }

    private static String load() {
        try (InputStream in = StingrayVersion.class.getResourceAsStream("/META-INF/stingray/version.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
