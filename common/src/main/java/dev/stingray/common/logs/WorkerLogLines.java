package dev.stingray.common.logs;

import dev.stingray.proto.LogBatch;
import java.util.Set;

/**
 * How a driver prints a line of a worker's log batch (Ray: {@code python/ray/_private/worker.py::
 * print_worker_logs}): {@code ({name }pid={pid}, ip={ip}) line}, and {@code (raylet, ip={ip}) line} for
 * the node daemons. The ip is always shown. No colours and no deduplication. Shared by in-cluster
 * drivers and the Ray Client server.
 */
public final class WorkerLogLines {

    /** Log-monitor pids of node daemons, printed without {@code pid=} and without a task name. */
    private static final Set<String> DAEMON_PIDS = Set.of("raylet", "gcs_server", "autoscaler");
    /** Ray's {@code LOG_PREFIX_INFO_MESSAGE}: only the text after it is printed. */
    private static final String INFO_MESSAGE_PREFIX = ":info_message:";

    private WorkerLogLines() {
    }

    /** The line as a driver prints it. */
    public static String format(LogBatch batch, String line) {
        return prefix(batch) + message(line);
    }

    private static String prefix(LogBatch batch) {
        if (DAEMON_PIDS.contains(batch.getPid())) {
            return "(" + batch.getPid() + ", ip=" + batch.getIp() + ") ";
        }
        String name = name(batch);
        return "(" + (name.isEmpty() ? "" : name + " ") + "pid=" + batch.getPid() + ", ip=" + batch.getIp() + ") ";
    }

    /** The task or actor name of a batch (Ray's prefix_for: the actor name wins); empty for daemons. */
    public static String name(LogBatch batch) {
        if (DAEMON_PIDS.contains(batch.getPid())) {
            return "";
        }
        return !batch.getActorName().isEmpty() ? batch.getActorName() : batch.getTaskName();
    }

    private static String message(String line) {
        int at = line.indexOf(INFO_MESSAGE_PREFIX);
        return at < 0 ? line : line.substring(at + INFO_MESSAGE_PREFIX.length());
    }
}
