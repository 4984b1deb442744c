package dev.stingray.runtime;

import dev.stingray.common.gcs.GcsClient;
import dev.stingray.proto.GcsNodeInfo;
import io.ray.api.BaseActorHandle;
import com.google.protobuf.ByteString;
import dev.stingray.proto.ActorTableData;
import dev.stingray.proto.GetAllActorInfoRequest;
import dev.stingray.runtime.actor.ActorHandleImpl;
import io.ray.api.id.ActorId;
import io.ray.api.runtimecontext.ActorInfo;
import io.ray.api.runtimecontext.ActorState;
import io.ray.api.runtimecontext.Address;
import io.ray.api.id.JobId;
import io.ray.api.id.TaskId;
import io.ray.api.id.UniqueId;
import io.ray.api.runtimecontext.NodeInfo;
import java.util.List;

/**
 * The runtime context of a driver or worker: node and actor information comes from the GCS; the current
 * actor (and whether it was restarted) from the worker hosting it.
 */
final class RuntimeContextImpl extends BaseRuntimeContext {

    private final GcsClient gcs;
    private final CoreWorker worker;

    RuntimeContextImpl(CoreWorker worker, GcsClient gcs, String namespace) {
        super(JobId.fromBytes(worker.jobId().bytes().toByteArray()), new UniqueId(worker.nodeId().bytes().toByteArray()), namespace);
        this.gcs = gcs;
        this.worker = worker;
    }

    @Override
    public ActorId getCurrentActorId() {
        ByteString id = worker.currentActorId();
        return id.isEmpty() ? ActorId.NIL : ActorId.fromBytes(id.toByteArray());
    }

    @Override
    public boolean wasCurrentActorRestarted() {
        return worker.wasCurrentActorRestarted();
    }

    @Override
    public List<ActorInfo> getAllActorInfo() {
        return getAllActorInfo(null, null);
    }

    @Override
    public List<ActorInfo> getAllActorInfo(JobId jobId, ActorState actorState) {
        GetAllActorInfoRequest.Filters.Builder filters = GetAllActorInfoRequest.Filters.newBuilder();
        if (jobId != null) {
            filters.setJobId(ByteString.copyFrom(jobId.getBytes()));
        }
        if (actorState != null) {
            filters.setState(ActorTableData.ActorState.forNumber(actorState.getValue()));
        }
        return gcs.actors().getAllActorInfo(GetAllActorInfoRequest.newBuilder().setFilters(filters).build()).getActorTableDataList().stream()
                .map(a -> new ActorInfo(ActorId.fromBytes(a.getActorId().toByteArray()), ActorState.fromValue(a.getState().getNumber()),
                        a.getNumRestarts(), new Address(new UniqueId(a.getNodeId().isEmpty() ? new byte[UniqueId.LENGTH] : a.getNodeId().toByteArray()),
                                a.getAddress().getIpAddress(), a.getAddress().getPort()), a.getName()))
                .toList();
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
    @SuppressWarnings("unchecked")
    public <T extends BaseActorHandle> T getCurrentActorHandle() {
        ByteString id = worker.currentActorId();
        if (id.isEmpty()) {
            throw new IllegalStateException("This process is not an actor: getCurrentActorHandle() is for code running in an actor");
        }
        return (T) new ActorHandleImpl<>(id, 0);
    }
}
