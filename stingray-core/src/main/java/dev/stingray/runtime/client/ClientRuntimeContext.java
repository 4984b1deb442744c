package dev.stingray.runtime.client;

import dev.stingray.runtime.BaseRuntimeContext;
import io.ray.api.BaseActorHandle;
import io.ray.api.id.JobId;
import io.ray.api.id.TaskId;
import io.ray.api.id.UniqueId;
import io.ray.api.runtimecontext.NodeInfo;
import java.util.List;

/**
 * The runtime context of a Ray Client: the session's job, namespace and driver node as the server's
 * {@code Init} reported them. Node listings are not available in client mode.
 */
final class ClientRuntimeContext extends BaseRuntimeContext {

    ClientRuntimeContext(JobId jobId, String namespace, UniqueId nodeId) {
        super(jobId, nodeId, namespace);
    }

    @Override
    public TaskId getCurrentTaskId() {
        throw new UnsupportedOperationException("A Ray Client runs no task; there is no current task id");
    }

    @Override
    public List<NodeInfo> getAllNodeInfo() {
        throw new UnsupportedOperationException("getAllNodeInfo is not available in Ray Client mode (ray://) in Stingray yet");
    }

    @Override
    public <T extends BaseActorHandle> T getCurrentActorHandle() {
        throw new UnsupportedOperationException("A Ray Client is not an actor");
    }
}
