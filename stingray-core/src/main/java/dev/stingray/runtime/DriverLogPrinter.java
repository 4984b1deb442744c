package dev.stingray.runtime;

import com.google.protobuf.ByteString;
import dev.stingray.common.gcs.GcsClient;
import dev.stingray.common.gcs.GcsSubscriber;
import dev.stingray.common.logs.WorkerLogLines;
import dev.stingray.proto.ChannelType;
import dev.stingray.proto.LogBatch;
import java.io.PrintStream;
import java.util.List;

/**
 * Prints the job's worker output on the driver's console (Ray: {@code print_logs}, {@code log_to_driver}):
 * subscribes to the GCS log channel under the job's id and prints each line with Ray's
 * {@code (pid=N, ip=X)} prefix, stderr lines to stderr. Disable with {@code -Dray.log-to-driver=false}.
 */
final class DriverLogPrinter implements AutoCloseable {

    private final GcsSubscriber subscriber;

    DriverLogPrinter(GcsClient gcs, String jobIdHex, PrintStream out, PrintStream err) {
        this.subscriber = new GcsSubscriber(gcs, List.of(ChannelType.RAY_LOG_CHANNEL), ByteString.copyFromUtf8(jobIdHex), message -> {
            LogBatch batch = message.getLogBatchMessage();
            PrintStream target = batch.getIsError() ? err : out;
            for (String line : batch.getLinesList()) {
                target.println(WorkerLogLines.format(batch, line));
            }
            target.flush();
        }).start();
    }

    @Override
    public void close() {
        subscriber.close();
    }
}
