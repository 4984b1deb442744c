package dev.stingray.runtime.client;

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
 * {@link RuntimeContext} of a Ray Client: the session's job, namespace and driver node as the server's
 * {@code Init} reported them. Node and actor listings are not available in client mode.
 */
final class ClientRuntimeContext implements RuntimeContext {

    private final JobId jobId;
    private final String namespace;
    private final UniqueId nodeId;

    ClientRuntimeContext(JobId jobId, String namespace, UniqueId nodeId) {
        this.jobId = jobId;
        this.namespace = namespace;
        this.nodeId = nodeId;
    }

    @Override
    public JobId getCurrentJobId() {
        return jobId;
    }

    @Override
    public TaskId getCurrentTaskId() {
        throw new UnsupportedOperationException("A Ray Client runs no task; there is no current task id");
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
        throw new UnsupportedOperationException("getAllNodeInfo is not available in Ray Client mode (ray://) in Stingray yet");
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
        throw new UnsupportedOperationException("A Ray Client is not an actor");
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
        return nodeId;
    }

    @Override
    public RuntimeEnv getCurrentRuntimeEnv() {
        return null;
    }
}
