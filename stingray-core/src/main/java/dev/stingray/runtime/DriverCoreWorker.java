package dev.stingray.runtime;

import dev.stingray.common.gcs.GcsClient;
import dev.stingray.common.id.JobId;
import dev.stingray.common.id.NodeId;
import dev.stingray.proto.AddJobRequest;
import dev.stingray.proto.Address;
import dev.stingray.proto.GcsNodeInfo;
import dev.stingray.proto.GetNextJobIDRequest;
import dev.stingray.proto.JobConfig;
import dev.stingray.proto.JobTableData;
import dev.stingray.proto.MarkJobFinishedRequest;
import java.util.List;
import java.util.UUID;

/**
 * The core worker of a driver and its job (Ray: {@code CoreWorker} in driver mode plus the job's
 * registration in {@code gcs_job_manager}): used by in-cluster drivers ({@link StingrayRuntime}) and by
 * the Ray Client server, which hosts one per client session.
 *
 * @param worker    the driver's core worker, attached to the raylet of the node at the driver's ip
 * @param namespace the job's namespace (the requested one, or a random one as Ray chooses)
 */
public record DriverCoreWorker(CoreWorker worker, String namespace) {

    /**
     * What a driver tells the GCS about its job.
     *
     * @param ip             the driver's ip; the driver attaches to an alive node with that address (head first)
     * @param namespace      the requested namespace; empty = a random one
     * @param codeSearchPath where workers load the job's classes from
     * @param jvmOptions     extra JVM options of the job's workers
     * @param driverPid      the pid recorded in the job table
     * @param entrypoint     the command line recorded in the job table
     * @param runtimeEnv     the job's runtime env, canonical JSON with packages uploaded ("" for none)
     */
    public record JobSpec(String ip, String namespace, List<String> codeSearchPath, List<String> jvmOptions, long driverPid,
            String entrypoint, String runtimeEnv) {
    }

    /**
     * Takes the next job id from the GCS, starts the driver's core worker on the node at {@code spec.ip()}
     * and adds the job to the GCS job table. The core worker is closed again if the job cannot be added.
     *
     * @throws IllegalStateException when no alive node has the driver's ip
     */
    public static DriverCoreWorker start(GcsClient gcs, JobSpec spec) {
        GcsNodeInfo node = gcs.getAllNodeInfo().stream()
                .filter(n -> n.getState() == GcsNodeInfo.GcsNodeState.ALIVE && n.getNodeManagerAddress().equals(spec.ip()))
                .sorted((a, b) -> Boolean.compare(b.getIsHeadNode(), a.getIsHeadNode()))
                .findFirst().orElseThrow(() -> new IllegalStateException("No alive node at " + spec.ip() + " in the cluster at "
                        + gcs.address() + "; start one with `stingray start --address=" + gcs.address() + "`"));
        JobId jobId = JobId.fromInt(gcs.jobs().getNextJobID(GetNextJobIDRequest.getDefaultInstance()).getJobId());
        Address raylet = Address.newBuilder().setIpAddress(node.getNodeManagerAddress()).setPort(node.getNodeManagerPort()).build();
        CoreWorker worker = new CoreWorker(jobId, NodeId.fromBytes(node.getNodeId()), CoreWorker.randomId(NodeId.SIZE), spec.ip(), raylet, gcs,
                spec.codeSearchPath(), spec.jvmOptions(), false, () -> { });
        String namespace = spec.namespace().isEmpty() ? UUID.randomUUID().toString() : spec.namespace();
        try {
            gcs.jobs().addJob(AddJobRequest.newBuilder().setData(JobTableData.newBuilder()
                    .setJobId(jobId.bytes())
                    .setDriverIpAddress(spec.ip())
                    .setDriverPid(spec.driverPid())
                    .setDriverAddress(worker.address())
                    .setEntrypoint(spec.entrypoint())
                    .setConfig(JobConfig.newBuilder().setRayNamespace(namespace).addAllCodeSearchPath(spec.codeSearchPath())
                            .addAllJvmOptions(spec.jvmOptions()).setSerializedRuntimeEnv(spec.runtimeEnv()))).build());
        } catch (RuntimeException e) {
            worker.close();
            throw e;
        }
        return new DriverCoreWorker(worker, namespace);
    }

    /** Marks the job finished in the GCS; a failure is reported on stderr, as the driver is going away anyway. */
    public static void markJobFinished(GcsClient gcs, JobId jobId) {
        try {
            gcs.jobs().markJobFinished(MarkJobFinishedRequest.newBuilder().setJobId(jobId.bytes()).build());
        } catch (RuntimeException e) {
            System.err.println("Could not mark job " + jobId + " finished: " + e.getMessage());
        }
    }
}
