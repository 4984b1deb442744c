package dev.stingray.raylet;

import dev.stingray.common.resources.NodeResources;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import oshi.SystemInfo;

/**
 * Computes a node's total resources from the flags and the machine (Ray: {@code resource_spec.py}):
 * CPU = cores, GPU = 0, object_store_memory = 30 % of available memory capped at 95 % of /dev/shm and
 * 200 GB, memory = available memory minus the object store; custom resources from {@code --resources}.
 */
final class NodeResourcesDetector {

    static final double OBJECT_STORE_PROPORTION = 0.3;
    static final long OBJECT_STORE_CAP = 200L * 1000 * 1000 * 1000;

    private NodeResourcesDetector() {
    }

    static Map<String, Double> detect(RayletProperties p) {
        Map<String, Double> custom = NodeResources.parseCustomResources(p.resources());
        long available = new SystemInfo().getHardware().getMemory().getAvailable();
        double cpus = p.numCpus() != null ? p.numCpus() : Runtime.getRuntime().availableProcessors();
        double gpus = p.numGpus() != null ? p.numGpus() : 0;
        if (cpus < 0 || gpus < 0) {
            throw new IllegalArgumentException("--num-cpus and --num-gpus must not be negative (got " + cpus + ", " + gpus + ")");
        }
        long objectStore = p.objectStoreMemory() != null ? p.objectStoreMemory() : defaultObjectStore(available);
        long memory = p.memory() != null ? p.memory() : Math.max(0, available - objectStore);
        Map<String, Double> total = new LinkedHashMap<>();
        total.put(NodeResources.CPU, NodeResources.roundToUnit(cpus));
        if (gpus > 0) {
            total.put(NodeResources.GPU, NodeResources.roundToUnit(gpus));
        }
        total.put(NodeResources.MEMORY, (double) memory);
        total.put(NodeResources.OBJECT_STORE_MEMORY, (double) objectStore);
        total.putAll(custom);
        return total;
    }

    static long defaultObjectStore(long available) {
        long proposed = (long) (available * OBJECT_STORE_PROPORTION);
        long cap = OBJECT_STORE_CAP;
        try {
            Path shm = Path.of("/dev/shm");
            if (Files.isDirectory(shm)) {
                cap = Math.min(cap, (long) (Files.getFileStore(shm).getTotalSpace() * 0.95));
            }
        } catch (java.io.IOException e) {
            // No /dev/shm: keep the fixed cap.
        }
        return Math.min(proposed, cap);
    }
}
