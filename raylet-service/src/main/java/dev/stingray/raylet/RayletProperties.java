package dev.stingray.raylet;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the raylet ({@code stingray.raylet.*}), named after {@code ray start}'s flags. Unset
 * quantities are auto-detected as Ray does.
 *
 * @param port                  node manager gRPC port (Ray: {@code --node-manager-port}, 0 = any)
 * @param numCpus               Ray's {@code --num-cpus}; null = the machine's cores
 * @param numGpus               Ray's {@code --num-gpus}; null = 0 (no GPU detection on the JVM)
 * @param memory                bytes of the {@code memory} resource; null = available memory minus the object store
 * @param objectStoreMemory     bytes of the object store; null = 30 % of available memory, capped by /dev/shm
 * @param resources             Ray's {@code --resources} JSON
 * @param labels                Ray's {@code --labels} {@code k=v,k2=v2}
 * @param head                  whether this is the head node
 * @param nodeName              Ray's {@code node_name}; empty = the node ip
 * @param tempDir               the node's temp dir
 * @param reportPeriod          Ray's {@code raylet_report_resources_period_milliseconds}
 * @param registerTimeout       how long to keep trying to register with the GCS before exiting
 * @param workerLibDir          class path directory of worker JVMs ({@code build/lib/worker})
 * @param workerJvmOptions      JVM options of every worker, before the job's own
 * @param workerRegisterTimeout Ray's {@code worker_register_timeout_seconds}
 * @param idleWorkerTimeout     an idle worker is stopped after this long
 * @param prestartWorkers       workers prestarted per new job that cannot take warm workers; -1 = the node's CPU count (Ray's prestart)
 * @param warmWorkers           warm workers (started for no job, handed to a job at lease time) kept once the raylet
 *                              registered; -1 = the node's CPU count, 0 = none
 * @param objectStoreDir        where the object store's shared-memory files go; empty = {@code /dev/shm} when it
 *                              has room, else {@code <session>/object_store}
 * @param objectStorePrefault   touch every page of the object store at start-up (faster first puts; the RAM is used at once)
 * @param objectSpillingThreshold Ray's {@code object_spilling_threshold}: spill primary copies above this fraction in use
 */
@ConfigurationProperties("stingray.raylet")
public record RayletProperties(
        @DefaultValue("0") int port,
        Double numCpus,
        Double numGpus,
        Long memory,
        Long objectStoreMemory,
        @DefaultValue("") String resources,
        @DefaultValue("") String labels,
        @DefaultValue("false") boolean head,
        @DefaultValue("") String nodeName,
        @DefaultValue("/tmp/stingray") String tempDir,
        @DefaultValue("100ms") Duration reportPeriod,
        @DefaultValue("60s") Duration registerTimeout,
        @DefaultValue("") String workerLibDir,
        @DefaultValue({"-XX:+UseSerialGC", "-Xss1m", "-Xms32m", "-XX:MinHeapFreeRatio=10", "-XX:MaxHeapFreeRatio=30"}) java.util.List<String> workerJvmOptions,
        @DefaultValue("60s") Duration workerRegisterTimeout,
        @DefaultValue("30s") Duration idleWorkerTimeout,
        @DefaultValue("-1") int prestartWorkers,
        @DefaultValue("-1") int warmWorkers,
        @DefaultValue("") String objectStoreDir,
        @DefaultValue("false") boolean objectStorePrefault,
        @DefaultValue("0.8") double objectSpillingThreshold) {
}
