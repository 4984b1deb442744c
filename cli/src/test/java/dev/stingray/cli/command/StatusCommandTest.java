package dev.stingray.cli.command;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stingray.common.id.NodeId;
import dev.stingray.proto.GcsNodeInfo;
import dev.stingray.proto.NodeDeathInfo;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The {@code ray status} layout of {@code stingray status} (Ray: {@code format_info_string}). */
class StatusCommandTest {

    private static final double GIB = 1024.0 * 1024 * 1024;

    @Test
    void formatsMemoryAsRayDoes() {
        assertThat(StatusCommand.formatMemory(0)).isEqualTo("0B");
        assertThat(StatusCommand.formatMemory(1023)).isEqualTo("1023B");
        assertThat(StatusCommand.formatMemory(1536)).isEqualTo("1.50KiB");
        assertThat(StatusCommand.formatMemory(1024 * 1024)).isEqualTo("1.00MiB");
        assertThat(StatusCommand.formatMemory(3 * GIB)).isEqualTo("3.00GiB");
        assertThat(StatusCommand.formatMemory(1.5 * GIB)).isEqualTo("1.50GiB");
        assertThat(StatusCommand.formatMemory(2048 * GIB)).isEqualTo("2.00TiB");
    }

    @Test
    void printsActiveNodesFailuresAndUsedOverTotalWithCpuFirst() {
        NodeId alive = NodeId.random();
        NodeId dead = NodeId.random();
        List<GcsNodeInfo> nodes = List.of(
                GcsNodeInfo.newBuilder().setNodeId(alive.bytes()).setNodeManagerAddress("10.0.0.1")
                        .setState(GcsNodeInfo.GcsNodeState.ALIVE).build(),
                GcsNodeInfo.newBuilder().setNodeId(dead.bytes()).setNodeManagerAddress("10.0.0.2")
                        .setState(GcsNodeInfo.GcsNodeState.DEAD)
                        .setDeathInfo(NodeDeathInfo.newBuilder().setReason(NodeDeathInfo.Reason.UNEXPECTED_TERMINATION)
                                .setReasonMessage("health check failed"))
                        .build());
        Map<String, Double> total = new LinkedHashMap<>();
        total.put("memory", 2 * GIB);
        total.put("object_store_memory", 1 * GIB);
        total.put("accelerator", 1.0);
        total.put("CPU", 4.0);
        Map<String, Double> available = Map.of("CPU", 1.0, "memory", 1 * GIB, "object_store_memory", 1 * GIB, "accelerator", 1.0);

        List<String> lines = print(nodes, total, available);

        assertThat(lines.get(0)).startsWith("======== Autoscaler status: ");
        assertThat(lines).containsSubsequence("Node status", "Active:", " 1 node_" + alive.hex(), "Idle:", " (no idle nodes)",
                "Pending:", " (no pending nodes)", "Recent failures:",
                " node_" + dead.hex() + " (10.0.0.2): UNEXPECTED_TERMINATION", "", "Resources");
        assertThat(lines).doesNotContain(" 1 node_" + dead.hex());
        int usage = lines.indexOf("Total Usage:");
        assertThat(lines.subList(usage + 1, usage + 5)).containsExactly(
                " 3.0/4.0 CPU",
                " 0.0/1.0 accelerator",
                " 1.00GiB/2.00GiB memory",
                " 0B/1.00GiB object_store_memory");
        assertThat(lines.subList(usage + 5, lines.size())).containsExactly("", "Pending Demands:", " (no resource demands)");
    }

    @Test
    void printsPlaceholdersForAnEmptyCluster() {
        List<String> lines = print(List.of(), Map.of(), Map.of());

        assertThat(lines).containsSubsequence("Active:", " (no active nodes)", "Recent failures:", " (no failures)",
                "Total Usage:", " (no resources)");
    }

    @Test
    void gpuComesRightAfterCpu() {
        Map<String, Double> total = new LinkedHashMap<>();
        total.put("a", 1.0);
        total.put("GPU", 2.0);
        total.put("CPU", 8.0);

        List<String> lines = print(List.of(), total, Map.of("CPU", 8.0, "GPU", 0.0, "a", 1.0));

        int usage = lines.indexOf("Total Usage:");
        assertThat(lines.subList(usage + 1, usage + 4)).containsExactly(" 0.0/8.0 CPU", " 2.0/2.0 GPU", " 0.0/1.0 a");
    }

    private static List<String> print(List<GcsNodeInfo> nodes, Map<String, Double> total, Map<String, Double> available) {
        StringWriter buffer = new StringWriter();
        StatusCommand.print(new PrintWriter(buffer), nodes, total, available);
        return buffer.toString().lines().toList();
    }
}
