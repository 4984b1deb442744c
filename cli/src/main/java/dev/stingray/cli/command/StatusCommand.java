package dev.stingray.cli.command;

import dev.stingray.common.gcs.GcsClient;
import dev.stingray.common.id.NodeId;
import dev.stingray.common.resources.NodeResources;
import dev.stingray.proto.GcsNodeInfo;
import dev.stingray.proto.GetAllAvailableResourcesRequest;
import java.io.PrintWriter;
import java.time.LocalDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code stingray status}, in the layout of {@code ray status}
 * ({@code autoscaler/_private/util.py::format_info_string}): active and dead nodes, then resources
 * used/total summed over alive nodes.
 */
@Command(name = "status", description = "Print the cluster's nodes and resource usage, as `ray status`.")
public final class StatusCommand implements Callable<Integer> {

    private static final String RULE = "---------------------------------------------------------------";

    @Spec
    CommandSpec spec;

    @Mixin
    ClusterOptions cluster;

    @Override
    public Integer call() {
        try (GcsClient gcs = cluster.connect()) {
            List<GcsNodeInfo> nodes = gcs.getAllNodeInfo();
            Map<String, Double> total = new LinkedHashMap<>();
            Map<String, Double> available = new LinkedHashMap<>();
            nodes.stream().filter(n -> n.getState() == GcsNodeInfo.GcsNodeState.ALIVE)
                    .forEach(n -> n.getResourcesTotalMap().forEach((k, v) -> total.merge(k, v, Double::sum)));
            gcs.resources().getAllAvailableResources(GetAllAvailableResourcesRequest.getDefaultInstance()).getResourcesListList()
                    .forEach(r -> r.getResourcesAvailableMap().forEach((k, v) -> available.merge(k, v, Double::sum)));
            print(spec.commandLine().getOut(), nodes, total, available);
        }
        return 0;
    }

    static void print(PrintWriter out, List<GcsNodeInfo> nodes, Map<String, Double> total, Map<String, Double> available) {
        out.println("======== Autoscaler status: " + LocalDateTime.now() + " ========");
        out.println("Node status");
        out.println(RULE);
        out.println("Active:");
        List<GcsNodeInfo> alive = nodes.stream().filter(n -> n.getState() == GcsNodeInfo.GcsNodeState.ALIVE).toList();
        if (alive.isEmpty()) {
            out.println(" (no active nodes)");
        }
        alive.forEach(n -> out.println(" 1 node_" + NodeId.fromBytes(n.getNodeId()).hex()));
        out.println("Idle:");
        out.println(" (no idle nodes)");
        out.println("Pending:");
        out.println(" (no pending nodes)");
        out.println("Recent failures:");
        List<GcsNodeInfo> dead = nodes.stream().filter(n -> n.getState() == GcsNodeInfo.GcsNodeState.DEAD).toList();
        if (dead.isEmpty()) {
            out.println(" (no failures)");
        }
        dead.forEach(n -> out.println(" node_" + NodeId.fromBytes(n.getNodeId()).hex() + " (" + n.getNodeManagerAddress() + "): "
                + n.getDeathInfo().getReason()));
        out.println();
        out.println("Resources");
        out.println(RULE);
        out.println("Total Usage:");
        if (total.isEmpty()) {
            out.println(" (no resources)");
        }
        java.util.List<String> names = new java.util.ArrayList<>(total.keySet());
        // Ray prints CPU and GPU first, then the rest by name.
        names.sort(java.util.Comparator.comparing((String n) -> n.equals(NodeResources.CPU) ? 0 : n.equals(NodeResources.GPU) ? 1 : 2)
                .thenComparing(n -> n));
        names.forEach(name -> {
            double t = total.get(name);
            double used = Math.max(0, t - available.getOrDefault(name, t));
            boolean bytes = name.equals(NodeResources.MEMORY) || name.equals(NodeResources.OBJECT_STORE_MEMORY);
            out.println(" " + (bytes ? formatMemory(used) + "/" + formatMemory(t) : used + "/" + t) + " " + name);
        });
        out.println();
        out.println("Pending Demands:");
        out.println(" (no resource demands)");
        out.flush();
    }

    /** Ray's {@code format_memory}: B, KiB, MiB, GiB with two decimals. */
    static String formatMemory(double bytes) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        int i = 0;
        double v = bytes;
        while (v >= 1024 && i < units.length - 1) {
            v /= 1024;
            i++;
        }
        return i == 0 ? String.format(Locale.ROOT, "%.0fB", v) : String.format(Locale.ROOT, "%.2f%s", v, units[i]);
    }
}
