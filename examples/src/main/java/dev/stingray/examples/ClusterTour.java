package dev.stingray.examples;

import io.ray.api.ObjectRef;
import io.ray.api.Ray;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * Sends tasks that each hold a whole node's CPUs for a moment, so the scheduler must spread them, and
 * prints which node ran how many. Uses only {@code io.ray.api}. Arguments: tasks (default 8), CPUs per
 * task (default 2: one task per two-CPU node at a time).
 */
public final class ClusterTour {

    private ClusterTour() {
    }

    /** Runs on some node: waits {@code millis}, then names the node. */
    public static String whereAmI(long millis) throws InterruptedException {
        Thread.sleep(millis);
        return Ray.getRuntimeContext().getCurrentNodeId().toString();
    }

    public static void main(String[] args) {
        int tasks = args.length > 0 ? Integer.parseInt(args[0]) : 8;
        double cpus = args.length > 1 ? Double.parseDouble(args[1]) : 2.0;
        Ray.init();
        try {
            List<ObjectRef<String>> nodes = new ArrayList<>();
            for (int i = 0; i < tasks; i++) {
                nodes.add(Ray.task(ClusterTour::whereAmI, 500L).setResource("CPU", cpus).remote());
            }
            TreeMap<String, Integer> perNode = new TreeMap<>();
            for (String node : Ray.get(nodes)) {
                perNode.merge(node, 1, Integer::sum);
            }
            perNode.forEach((node, count) -> System.out.printf("node %s ran %d task(s)%n", node, count));
        } finally {
            Ray.shutdown();
        }
    }
}
