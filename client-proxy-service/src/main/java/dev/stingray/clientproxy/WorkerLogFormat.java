package dev.stingray.clientproxy;

import dev.stingray.proto.LogBatch;
import dev.stingray.proto.client.LogData;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Turns a {@link LogBatch} from the GCS log channel into the lines a Ray driver prints (Ray:
 * {@code python/ray/_private/worker.py::print_worker_logs}): {@code ({name }pid={pid}, ip={ip}) line},
 * and {@code (raylet, ip={ip}) line} for the node daemons. The ip is always shown: a Ray Client driver
 * never runs on the node that wrote the line. No colours and no deduplication.
 */
final class WorkerLogFormat {

    /** {@link LogData#getLevel()} of stdout lines (Ray's convention). */
    static final int STDOUT = -1;
    /** {@link LogData#getLevel()} of stderr lines. */
    static final int STDERR = -2;

    /** Log-monitor pids of node daemons, printed without {@code pid=} and without a task name. */
    private static final Set<String> DAEMON_PIDS = Set.of("raylet", "gcs_server", "autoscaler");
    /** Ray's {@code LOG_PREFIX_INFO_MESSAGE}: only the text after it is printed. */
    private static final String INFO_MESSAGE_PREFIX = ":info_message:";

    private WorkerLogFormat() {
    }

    /** One {@link LogData} per line of the batch, in order. */
    static List<LogData> toLogData(LogBatch batch) {
        String prefix = prefix(batch);
        String name = name(batch);
        int level = batch.getIsError() ? STDERR : STDOUT;
        List<LogData> out = new ArrayList<>(batch.getLinesCount());
        for (String line : batch.getLinesList()) {
            out.add(LogData.newBuilder().setMsg(prefix + message(line)).setLevel(level).setName(name).build());
        }
        return out;
    }

    /** The line as a driver prints it. */
    static String format(LogBatch batch, String line) {
        return prefix(batch) + message(line);
    }

    private static String prefix(LogBatch batch) {
        if (DAEMON_PIDS.contains(batch.getPid())) {
            return "(" + batch.getPid() + ", ip=" + batch.getIp() + ") ";
        }
        String name = name(batch);
        return "(" + (name.isEmpty() ? "" : name + " ") + "pid=" + batch.getPid() + ", ip=" + batch.getIp() + ") ";
    }

    // Ray's prefix_for: the actor name wins over the task name.
    private static String name(LogBatch batch) {
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
