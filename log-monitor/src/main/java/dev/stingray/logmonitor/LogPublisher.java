package dev.stingray.logmonitor;

import com.google.protobuf.ByteString;
import dev.stingray.common.gcs.GcsClient;
import dev.stingray.proto.ChannelType;
import dev.stingray.proto.GcsPublishRequest;
import dev.stingray.proto.LogBatch;
import dev.stingray.proto.PubMessage;
import io.grpc.StatusRuntimeException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes {@link LogBatch}es on the GCS's {@code RAY_LOG_CHANNEL} (Ray: {@code GcsPublisher.publish_logs}
 * → {@code PythonGcsPublisher::PublishLogs}), keyed by the UTF-8 bytes of the job id hex so drivers can
 * subscribe to their own job (empty key when the job is unknown).
 *
 * <p>Batches that could not be delivered (GCS down, deadline exceeded) stay buffered in order and go out
 * with the next call. The buffer is bounded by {@code maxBufferedLines}: beyond it the oldest batches
 * are dropped with a warning, as Ray's log channel is lossy too.
 *
 * <p>Thread-safe (synchronized); in the daemon only the log monitor's loop thread calls it.
 */
public final class LogPublisher {

    /** Keeps each GcsPublish request far below the gRPC message limit. */
    static final int MAX_REQUEST_BYTES = 4 * 1024 * 1024;

    private static final Logger log = LoggerFactory.getLogger(LogPublisher.class);

    private final GcsClient gcs;
    private final Duration timeout;
    private final int maxBufferedLines;
    private final ArrayDeque<LogBatch> pending = new ArrayDeque<>();
    private int pendingLines;
    private long publishedLines;
    private long droppedLines;
    private long droppedSinceWarning;
    private boolean failing;

    public LogPublisher(GcsClient gcs, Duration timeout, int maxBufferedLines) {
        if (maxBufferedLines <= 0) {
            throw new IllegalArgumentException("maxBufferedLines must be positive, got " + maxBufferedLines);
        }
        this.gcs = gcs;
        this.timeout = timeout;
        this.maxBufferedLines = maxBufferedLines;
    }

    /**
     * Buffers {@code batches} behind any earlier undelivered ones and sends everything buffered.
     *
     * @return true when the buffer is empty afterwards (everything delivered)
     */
    public synchronized boolean publish(Collection<LogBatch> batches) {
        for (LogBatch batch : batches) {
            pending.addLast(batch);
            pendingLines += batch.getLinesCount();
        }
        dropOldestBeyondLimit();
        while (!pending.isEmpty()) {
            List<LogBatch> chunk = nextChunk();
            try {
                GcsPublishRequest.Builder request = GcsPublishRequest.newBuilder();
                chunk.forEach(b -> request.addPubMessages(toPubMessage(b)));
                gcs.pubsub().withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS).gcsPublish(request.build());
            } catch (StatusRuntimeException e) {
                if (!failing) {
                    log.warn("Cannot publish logs to the GCS at {} ({}: {}); keeping {} lines and retrying",
                            gcs.address(), e.getStatus().getCode(), e.getStatus().getDescription(), pendingLines);
                }
                failing = true;
                return false;
            }
            for (LogBatch sent : chunk) {
                pending.removeFirst();
                pendingLines -= sent.getLinesCount();
                publishedLines += sent.getLinesCount();
            }
        }
        if (failing) {
            log.info("Publishing logs to the GCS at {} again{}", gcs.address(),
                    droppedSinceWarning > 0 ? "; " + droppedSinceWarning + " lines were dropped meanwhile" : "");
            failing = false;
            droppedSinceWarning = 0;
        }
        return true;
    }

    /** Ray's {@code PublishLogs}: channel RAY_LOG_CHANNEL, key = job id. */
    static PubMessage toPubMessage(LogBatch batch) {
        return PubMessage.newBuilder()
                .setChannelType(ChannelType.RAY_LOG_CHANNEL)
                .setKeyId(ByteString.copyFrom(batch.getJobId(), StandardCharsets.UTF_8))
                .setLogBatchMessage(batch)
                .build();
    }

    private List<LogBatch> nextChunk() {
        List<LogBatch> chunk = new ArrayList<>();
        long bytes = 0;
        for (LogBatch batch : pending) {
            int size = batch.getSerializedSize();
            if (!chunk.isEmpty() && bytes + size > MAX_REQUEST_BYTES) {
                break;
            }
            chunk.add(batch);
            bytes += size;
        }
        return chunk;
    }

    private void dropOldestBeyondLimit() {
        long dropped = 0;
        while (pendingLines > maxBufferedLines && !pending.isEmpty()) {
            LogBatch oldest = pending.removeFirst();
            pendingLines -= oldest.getLinesCount();
            dropped += oldest.getLinesCount();
        }
        if (dropped > 0) {
            if (droppedSinceWarning == 0) {
                log.warn("The GCS at {} is not taking logs; dropping the oldest buffered lines beyond {} "
                        + "(the log channel is lossy)", gcs.address(), maxBufferedLines);
            }
            droppedLines += dropped;
            droppedSinceWarning += dropped;
        }
    }

    /** Lines waiting for delivery. */
    public synchronized int bufferedLines() {
        return pendingLines;
    }

    public synchronized long publishedLines() {
        return publishedLines;
    }

    public synchronized long droppedLines() {
        return droppedLines;
    }
}
