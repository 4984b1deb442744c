package dev.stingray.examples;

import io.ray.api.ObjectRef;
import io.ray.api.Ray;
import io.ray.api.runtimecontext.NodeInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Estimates π with many Ray tasks, each throwing darts at the unit square, then round-trips a large
 * object through the object store. Uses only {@code io.ray.api}: it runs unchanged on Ray.
 *
 * <p>Run with no {@code ray.address} to start a local cluster (the embedded default), or with
 * {@code -Dray.address=HOST:PORT} to use a running one. Arguments: tasks (default 100), samples per task
 * (default 1,000,000).
 */
public final class MonteCarloPi {

    private MonteCarloPi() {
    }

    /** One task: how many of {@code samples} random points fall inside the quarter circle. */
    public static long countInside(long samples, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        long inside = 0;
        for (long i = 0; i < samples; i++) {
            double x = random.nextDouble();
            double y = random.nextDouble();
            if (x * x + y * y <= 1.0) {
                inside++;
            }
        }
        return inside;
    }

    public static void main(String[] args) {
        int tasks = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        long samplesPerTask = args.length > 1 ? Long.parseLong(args[1]) : 1_000_000L;
        long start = System.nanoTime();
        Ray.init();
        try {
            System.out.printf("Ray initialized in %.1f s%n", (System.nanoTime() - start) / 1e9);
            long first = System.nanoTime();
            long warmup = Ray.task(MonteCarloPi::countInside, 1000L, -1L).remote().get();
            System.out.printf("first task returned %d in %d ms%n", warmup, (System.nanoTime() - first) / 1_000_000);
            List<ObjectRef<Long>> counts = new ArrayList<>();
            long submitted = System.nanoTime();
            for (int i = 0; i < tasks; i++) {
                counts.add(Ray.task(MonteCarloPi::countInside, samplesPerTask, (long) i).remote());
            }
            long inside = 0;
            for (long c : Ray.get(counts)) {
                inside += c;
            }
            double pi = 4.0 * inside / (tasks * samplesPerTask);
            System.out.printf("pi ~= %.6f from %d tasks x %d samples (%.1f s)%n", pi, tasks, samplesPerTask,
                    (System.nanoTime() - submitted) / 1e9);

            byte[] large = new byte[128 * 1024 * 1024];
            large[large.length - 1] = 7;
            long putStart = System.nanoTime();
            byte[] back = Ray.get(Ray.put(large));
            System.out.printf("large object: put/get of %d MiB returned %d MiB, last byte %d (%.2f s)%n", large.length >> 20,
                    back.length >> 20, back[back.length - 1], (System.nanoTime() - putStart) / 1e9);

            System.out.println("Cluster nodes:");
            for (NodeInfo node : Ray.getRuntimeContext().getAllNodeInfo()) {
                System.out.printf("  %s %s:%d alive=%s resources=%s%n", node.nodeId, node.nodeAddress, node.nodeManagerPort, node.isAlive,
                        node.resources);
            }
        } finally {
            Ray.shutdown();
        }
    }
}
