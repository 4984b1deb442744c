package dev.stingray.clientproxy;

import dev.stingray.common.logs.WorkerLogLines;
import dev.stingray.proto.LogBatch;
import dev.stingray.proto.client.LogData;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns a {@link LogBatch} from the GCS log channel into Ray Client {@link LogData}: one per line, the
 * text formatted as a driver prints it ({@link WorkerLogLines}), level -1 for stdout and -2 for stderr.
 */
final class WorkerLogFormat {

    /** {@link LogData#getLevel()} of stdout lines (Ray's convention). */
    static final int STDOUT = -1;
    /** {@link LogData#getLevel()} of stderr lines. */
    static final int STDERR = -2;

    private WorkerLogFormat() {
    }

    /** One {@link LogData} per line of the batch, in order. */
    static List<LogData> toLogData(LogBatch batch) {
        String name = WorkerLogLines.name(batch);
        int level = batch.getIsError() ? STDERR : STDOUT;
        List<LogData> out = new ArrayList<>(batch.getLinesCount());
        for (String line : batch.getLinesList()) {
            out.add(LogData.newBuilder().setMsg(WorkerLogLines.format(batch, line)).setLevel(level).setName(name).build());
        }
        return out;
    }

    /** The line as a driver prints it. */
    static String format(LogBatch batch, String line) {
        return WorkerLogLines.format(batch, line);
    }
}
