package dev.stingray.common.boot;

import dev.stingray.common.discovery.ServiceRecord;

/**
 * Where a daemon announces itself. Daemons publish through the GCS's KV over gRPC; the GCS itself
 * writes straight into its own KV manager.
 */
public interface ServiceRecordPublisher {

    void publish(ServiceRecord record);

    void withdraw(ServiceRecord record);
}
