package dev.stingray.gcs.runtimeenv;

import dev.stingray.common.error.StingrayException;
import dev.stingray.common.runtimeenv.RuntimeEnvSpec;
import dev.stingray.gcs.kv.GcsInternalKvManager;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reference counts of runtime-env packages (Ray: {@code RuntimeEnvManager} in the GCS). Holders are jobs
 * ({@code job:<hex>}) and detached actors ({@code actor:<hex>}) whose runtime env names a package, plus
 * temporary pins an uploader takes so a package survives until a task or job refers to it. When a
 * package's count drops to zero it is deleted from the internal KV.
 *
 * <p>Thread-safe: guarded by this object's monitor.
 */
public final class GcsRuntimeEnvManager {

    private static final Logger log = LoggerFactory.getLogger(GcsRuntimeEnvManager.class);

    private final GcsInternalKvManager kv;
    private final ScheduledExecutorService timer;
    private final Map<String, Integer> counts = new HashMap<>();
    private final Map<String, List<String>> byHolder = new HashMap<>();

    public GcsRuntimeEnvManager(GcsInternalKvManager kv, ScheduledExecutorService timer) {
        this.kv = kv;
        this.timer = timer;
    }

    /**
     * {@code holder} refers to the packages of {@code serializedRuntimeEnv} and to those of its code search path
     * (the driver's classes shipped as packages) until {@link #removeReferences}.
     */
    public synchronized void addReferences(String holder, String serializedRuntimeEnv, List<String> codeSearchPath) {
        List<String> uris = new java.util.ArrayList<>(RuntimeEnvSpec.packageUrisOf(serializedRuntimeEnv));
        codeSearchPath.stream().filter(e -> e.startsWith(RuntimeEnvSpec.PACKAGE_URI_PREFIX) && !uris.contains(e)).forEach(uris::add);
        if (uris.isEmpty() || byHolder.containsKey(holder)) {
            return;
        }
        byHolder.put(holder, uris);
        uris.forEach(uri -> counts.merge(uri, 1, Integer::sum));
    }

    /** {@code holder} (a finished job, a dead detached actor) no longer refers to its packages. */
    public void removeReferences(String holder) {
        List<String> uris;
        synchronized (this) {
            uris = byHolder.remove(holder);
        }
        if (uris != null) {
            uris.forEach(this::release);
        }
    }

    /** Ray's {@code PinRuntimeEnvURI}: keeps the package for {@code seconds} even if nothing else refers to it. */
    public void handlePinRuntimeEnvUri(String uri, int seconds) {
        if (!uri.startsWith(RuntimeEnvSpec.PACKAGE_URI_PREFIX)) {
            throw StingrayException.invalidArgument("Only packages named " + RuntimeEnvSpec.PACKAGE_URI_PREFIX + "<sha1>.zip can be pinned, got '"
                    + uri + "'");
        }
        if (seconds < 0) {
            throw StingrayException.invalidArgument("expiration_s must not be negative, got " + seconds);
        }
        synchronized (this) {
            counts.merge(uri, 1, Integer::sum);
        }
        timer.schedule(() -> release(uri), seconds, TimeUnit.SECONDS);
    }

    private void release(String uri) {
        synchronized (this) {
            int left = counts.merge(uri, -1, Integer::sum);
            if (left > 0) {
                return;
            }
            counts.remove(uri);
            // Under the monitor: a pin arriving now waits, then finds the package gone and uploads it again.
            kv.delString("", uri, false);
        }
        log.info("Runtime-env package {} is no longer referenced; deleted it from the KV", uri);
    }

    public synchronized int referenceCount(String uri) {
        return counts.getOrDefault(uri, 0);
    }
}
