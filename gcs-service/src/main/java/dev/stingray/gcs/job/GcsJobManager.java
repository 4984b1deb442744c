package dev.stingray.gcs.job;

import com.google.protobuf.ByteString;
import dev.stingray.common.error.StingrayException;
import dev.stingray.common.id.JobId;
import dev.stingray.gcs.pubsub.GcsPublisher;
import dev.stingray.gcs.store.GcsTable;
import dev.stingray.gcs.store.StoreClient;
import dev.stingray.proto.ChannelType;
import dev.stingray.proto.JobTableData;
import dev.stingray.proto.PubMessage;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The job table (Ray: {@code gcs_job_manager.cc}): persist → cache → publish on
 * {@code GCS_JOB_CHANNEL} → reply. Job ids come from the store's counter, so they stay unique across
 * GCS restarts with Redis.
 *
 * <p>Thread-safe: handlers run under this object's monitor.
 */
public final class GcsJobManager {

    private final GcsTable<JobTableData> table;
    private final StoreClient store;
    private final GcsPublisher publisher;
    private final Clock clock;
    private final Map<ByteString, JobTableData> jobs = new LinkedHashMap<>();
    private final List<java.util.function.Consumer<ByteString>> finishedListeners = new java.util.concurrent.CopyOnWriteArrayList<>();

    public GcsJobManager(GcsTable<JobTableData> table, StoreClient store, GcsPublisher publisher, Clock clock) {
        this.table = table;
        this.store = store;
        this.publisher = publisher;
        this.clock = clock;
    }

    private final List<java.util.function.Consumer<JobTableData>> startedListeners = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** Told every job that is added (Ray: the runtime-env manager takes the job's package references). */
    public void addStartedListener(java.util.function.Consumer<JobTableData> listener) {
        startedListeners.add(listener);
    }

    /** Told the id of every job that finishes (Ray: the actor manager's job-finished listener). */
    public void addFinishedListener(java.util.function.Consumer<ByteString> listener) {
        finishedListeners.add(listener);
    }

    public synchronized void initialize() {
        jobs.putAll(table.getAll());
    }

    /** Ray's {@code HandleAddJob}. */
    public void handleAddJob(JobTableData data) {
        validate(data.getJobId());
        JobTableData job = data.toBuilder()
                .setIsDead(false)
                .setStartTime(data.getStartTime() == 0 ? clock.millis() : data.getStartTime())
                .setTimestamp(clock.millis())
                .build();
        synchronized (this) {
            table.put(job.getJobId(), job);
            jobs.put(job.getJobId(), job);
        }
        publisher.publish(ChannelType.GCS_JOB_CHANNEL, job.getJobId(), PubMessage.newBuilder().setJobMessage(job));
        startedListeners.forEach(l -> l.accept(job));
    }

    /** Ray's {@code HandleMarkJobFinished}; NOT_FOUND for an unknown job, idempotent for a finished one. */
    public void handleMarkJobFinished(ByteString jobId) {
        validate(jobId);
        JobTableData finished;
        synchronized (this) {
            JobTableData job = jobs.get(jobId);
            if (job == null) {
                throw StingrayException.notFound("Job " + new JobId(jobId).hex() + " is not in the job table; `stingray list jobs` shows the known jobs");
            }
            if (job.getIsDead()) {
                return;
            }
            finished = job.toBuilder().setIsDead(true).setEndTime(clock.millis()).setTimestamp(clock.millis()).build();
            table.put(jobId, finished);
            jobs.put(jobId, finished);
        }
        publisher.publish(ChannelType.GCS_JOB_CHANNEL, jobId, PubMessage.newBuilder().setJobMessage(finished));
        finishedListeners.forEach(l -> l.accept(jobId));
    }

    public synchronized List<JobTableData> handleGetAllJobInfo(Integer limit) {
        if (limit != null && limit < 0) {
            throw StingrayException.invalidArgument("limit must not be negative, got " + limit);
        }
        return jobs.values().stream().limit(limit == null ? Long.MAX_VALUE : limit).toList();
    }

    /** Ray's {@code HandleGetNextJobID}. */
    public int handleGetNextJobId() {
        return store.nextJobId();
    }

    private static void validate(ByteString jobId) {
        if (jobId.size() != JobId.SIZE) {
            throw StingrayException.invalidArgument("Invalid job id of " + jobId.size() + " bytes: a job id has " + JobId.SIZE
                    + " bytes; get one from GetNextJobID");
        }
    }
}
