package dev.stingray.runtime;

import dev.stingray.common.gcs.GcsClient;
import dev.stingray.proto.GcsNodeInfo;
import io.ray.api.BaseActorHandle;
import io.ray.api.id.ActorId;
import io.ray.api.id.JobId;
import io.ray.api.id.TaskId;
import io.ray.api.id.UniqueId;
import io.ray.api.runtimecontext.ActorInfo;
import io.ray.api.runtimecontext.ActorState;
import io.ray.api.runtimecontext.NodeInfo;
import io.ray.api.runtimecontext.RuntimeContext;
import io.ray.api.runtimeenv.RuntimeEnv;
import java.util.List;

/**
 * {@link RuntimeContext} of a Stingray process: job, node and namespace from the core worker, node
 * information from the GCS. Actor-related answers come with actors (issue #4).
 */
final class RuntimeContextImpl implements RuntimeContext {

    private final CoreWorker worker;
    private final GcsClient gcs;
    private final String namespace;

    RuntimeContextImpl(CoreWorker worker, GcsClient gcs, String namespace) {
        this.worker = worker;
        this.gcs = gcs;
        this.namespace = namespace;
    }

    @Override
    public JobId getCurrentJobId() {
        return JobId.fromBytes(worker.jobId().bytes().toByteArray());
    }

    @Override
    public TaskId getCurrentTaskId() {
        throw new UnsupportedOperationException("Task ids in the runtime context are not implemented in Stingray yet");
    }

    @Override
    public ActorId getCurrentActorId() {
        return ActorId.NIL;
    }

    @Override
    public boolean wasCurrentActorRestarted() {
        return false;
    }

    @Override
    public boolean isLocalMode() {
        return false;
    }

    @Override
    public List<NodeInfo> getAllNodeInfo() {
        return gcs.getAllNodeInfo().stream().map(n -> new NodeInfo(new UniqueId(n.getNodeId().toByteArray()), n.getNodeManagerAddress(),
                n.getNodeManagerHostname(), n.getNodeManagerPort(), "", "", n.getState() == GcsNodeInfo.GcsNodeState.ALIVE,
                n.getResourcesTotalMap(), n.getLabelsMap())).toList();
    }

    @Override
    public List<ActorInfo> getAllActorInfo() {
        return List.of();
    }

    @Override
    public List<ActorInfo> getAllActorInfo(JobId jobId, ActorState actorState) {
        return List.of();
    }

    @Override
    public <T extends BaseActorHandle> T getCurrentActorHandle() {
        throw new UnsupportedOperationException("This process is not an actor (actors come with issue #4)");
    }

    @Override
    public List<Long> getGpuIds() {
        return List.of();
    }

    @Override
    public String getNamespace() {
        return namespace;
    }

    @Override
    public UniqueId getCurrentNodeId() {
        return new UniqueId(worker.nodeId().bytes().toByteArray());
    }

    @Override
    public RuntimeEnv getCurrentRuntimeEnv() {
        return null;
    }
}
