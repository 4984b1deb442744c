package dev.stingray.raylet.worker;

import com.google.protobuf.ByteString;
import dev.stingray.common.gcs.GcsClient;
import dev.stingray.common.gcs.GcsSubscriber;
import dev.stingray.proto.ChannelType;
import dev.stingray.proto.JobTableData;
import java.util.List;

/**
 * Follows the GCS job channel for the worker pool (Ray: the raylet subscribes to job changes): a new
 * job gets workers prestarted up to the node's CPU count, a finished job's workers are killed.
 */
public final class JobWatcher implements AutoCloseable {

    private final GcsSubscriber subscriber;

    public JobWatcher(GcsClient gcs, WorkerPool pool, int prestartCount) {
        this.subscriber = new GcsSubscriber(gcs, List.of(ChannelType.GCS_JOB_CHANNEL), ByteString.EMPTY, message -> {
            JobTableData job = message.getJobMessage();
            if (job.getIsDead()) {
                pool.onJobFinished(job.getJobId());
            } else {
                pool.onJobStarted(job.getJobId(), job.getConfig(), prestartCount);
            }
        });
    }

    public JobWatcher start() {
        subscriber.start();
        return this;
    }

    @Override
    public void close() {
        subscriber.close();
    }
}
