package dev.stingray.runtime;

import io.ray.api.id.ActorId;
import io.ray.api.id.JobId;
import io.ray.api.id.UniqueId;
import io.ray.api.runtimecontext.ActorInfo;
import io.ray.api.runtimecontext.ActorState;
import io.ray.api.runtimecontext.RuntimeContext;
import io.ray.api.runtimeenv.RuntimeEnv;
import java.util.List;

/**
 * What every Stingray {@link RuntimeContext} answers the same way until actors exist (issue #4): the
 * job, node and namespace it was built with, no current actor, no actors to list, no GPUs, no runtime env.
 */
public abstract class BaseRuntimeContext implements RuntimeContext {

    private final JobId jobId;
    private final UniqueId nodeId;
    private final String namespace;

    protected BaseRuntimeContext(JobId jobId, UniqueId nodeId, String namespace) {
        this.jobId = jobId;
        this.nodeId = nodeId;
        this.namespace = namespace;
    }

    @Override
    public JobId getCurrentJobId() {
        return jobId;
    }

    @Override
    public UniqueId getCurrentNodeId() {
        return nodeId;
    }

    @Override
    public String getNamespace() {
        return namespace;
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
    public List<ActorInfo> getAllActorInfo() {
        return List.of();
    }

    @Override
    public List<ActorInfo> getAllActorInfo(JobId jobId, ActorState actorState) {
        return List.of();
    }

    @Override
    public List<Long> getGpuIds() {
        return List.of();
    }

    @Override
    public RuntimeEnv getCurrentRuntimeEnv() {
        return null;
    }
}
