package dev.stingray.runtime;

import dev.stingray.common.gcs.GcsClient;
import dev.stingray.proto.GcsNodeInfo;
import io.ray.api.BaseActorHandle;
import io.ray.api.id.JobId;
import io.ray.api.id.TaskId;
import io.ray.api.id.UniqueId;
import io.ray.api.runtimecontext.NodeInfo;
import java.util.List;

/** The runtime context of a driver or worker: node information comes from the GCS. */
final class RuntimeContextImpl extends BaseRuntimeContext {

    private final GcsClient gcs;

    RuntimeContextImpl(CoreWorker worker, GcsClient gcs, String namespace) {
        super(JobId.fromBytes(worker.jobId().bytes().toByteArray()), new UniqueId(worker.nodeId().bytes().toByteArray()), namespace);
        this.gcs = gcs;
    }

    @Override
    public TaskId getCurrentTaskId() {
        throw new UnsupportedOperationException("Task ids in the runtime context are not implemented in Stingray yet");
    }

    @Override
    public List<NodeInfo> getAllNodeInfo() {
        return gcs.getAllNodeInfo().stream().map(n -> new NodeInfo(new UniqueId(n.getNodeId().toByteArray()), n.getNodeManagerAddress(),
                n.getNodeManagerHostname(), n.getNodeManagerPort(), "", "", n.getState() == GcsNodeInfo.GcsNodeState.ALIVE,
                n.getResourcesTotalMap(), n.getLabelsMap())).toList();
    }

    @Override
    public <T extends BaseActorHandle> T getCurrentActorHandle() {
        throw new UnsupportedOperationException("This process is not an actor (actors come with issue #4)");
    }
}
