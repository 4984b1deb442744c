package dev.stingray.gcs.worker;

import com.google.protobuf.ByteString;
import dev.stingray.common.error.StingrayException;
import dev.stingray.gcs.pubsub.GcsPublisher;
import dev.stingray.gcs.store.GcsTable;
import dev.stingray.proto.ChannelType;
import dev.stingray.proto.PubMessage;
import dev.stingray.proto.WorkerTableData;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

/**
 * The worker table (Ray: {@code gcs_worker_manager.cc}). Failures are persisted and published on
 * {@code GCS_WORKER_DELTA_CHANNEL}. Reads go to the store (the table is not cached: it is off the hot path).
 *
 * <p>Thread-safe: failure reports are serialized by this object's monitor, so listeners hear of each death once;
 * the store is the only state.
 */
public final class GcsWorkerManager {

    private final GcsTable<WorkerTableData> table;
    private final GcsPublisher publisher;
    private final Clock clock;
    private final java.util.List<java.util.function.Consumer<WorkerTableData>> failureListeners = new java.util.concurrent.CopyOnWriteArrayList<>();

    public GcsWorkerManager(GcsTable<WorkerTableData> table, GcsPublisher publisher, Clock clock) {
        this.table = table;
        this.publisher = publisher;
        this.clock = clock;
    }

    /** Told about every newly dead worker (Ray: the actor manager's worker-dead listener). */
    public void addFailureListener(java.util.function.Consumer<WorkerTableData> listener) {
        failureListeners.add(listener);
    }

    public void handleAddWorkerInfo(WorkerTableData data) {
        ByteString id = workerId(data);
        table.put(id, data.toBuilder().setIsAlive(true).setTimestamp(clock.millis()).build());
    }

    /**
     * Ray's {@code HandleReportWorkerFailure}: persist the dead worker, then publish the delta and tell the
     * listeners. A second report of the same death (the worker's own, then its raylet's) changes nothing.
     */
    public synchronized void handleReportWorkerFailure(WorkerTableData data) {
        ByteString id = workerId(data);
        java.util.Optional<WorkerTableData> known = table.get(id);
        if (known.isPresent() && !known.get().getIsAlive()) {
            return;
        }
        WorkerTableData dead = known.map(WorkerTableData::toBuilder).orElse(data.toBuilder())
                .mergeFrom(data)
                .setIsAlive(false)
                .setEndTimeMs(clock.millis())
                .setTimestamp(clock.millis())
                .build();
        table.put(id, dead);
        publisher.publish(ChannelType.GCS_WORKER_DELTA_CHANNEL, id, PubMessage.newBuilder().setWorkerDeltaMessage(dead));
        failureListeners.forEach(l -> l.accept(dead));
    }

    public Optional<WorkerTableData> handleGetWorkerInfo(ByteString workerId) {
        return table.get(workerId);
    }

    public List<WorkerTableData> handleGetAllWorkerInfo(Long limit) {
        if (limit != null && limit < 0) {
            throw StingrayException.invalidArgument("limit must not be negative, got " + limit);
        }
        return table.getAll().values().stream().limit(limit == null ? Long.MAX_VALUE : limit).toList();
    }

    private static ByteString workerId(WorkerTableData data) {
        ByteString id = data.getWorkerAddress().getWorkerId();
        if (id.isEmpty()) {
            throw StingrayException.invalidArgument("worker_address.worker_id must be set");
        }
        return id;
    }
}
