package dev.stingray.raylet;

import dev.stingray.common.boot.DaemonExit;
import dev.stingray.common.rpc.GrpcReplies;
import dev.stingray.proto.GetNodeStatsReply;
import dev.stingray.proto.GetNodeStatsRequest;
import dev.stingray.proto.NodeManagerServiceGrpc;
import dev.stingray.proto.NotifyGCSRestartReply;
import dev.stingray.proto.NotifyGCSRestartRequest;
import dev.stingray.proto.ShutdownRayletReply;
import dev.stingray.proto.ShutdownRayletRequest;
import dev.stingray.proto.RegisterWorkerReply;
import dev.stingray.proto.RegisterWorkerRequest;
import dev.stingray.proto.RequestWorkerLeaseReply;
import dev.stingray.proto.RequestWorkerLeaseRequest;
import dev.stingray.proto.ReturnWorkerLeaseReply;
import dev.stingray.proto.ReturnWorkerLeaseRequest;
import dev.stingray.raylet.scheduling.LeaseManager;
import dev.stingray.raylet.worker.WorkerPool;
import io.grpc.stub.StreamObserver;

/** The raylet's {@code NodeManagerService}: leasing, worker registration, shutdown, stats. */
public final class NodeManagerGrpcService extends NodeManagerServiceGrpc.NodeManagerServiceImplBase {

    private final RayletNode node;
    private final LocalResources resources;
    private final DaemonExit exit;
    private final LeaseManager leases;
    private final WorkerPool workers;
    private final dev.stingray.raylet.scheduling.BundleReservations bundles;

    public NodeManagerGrpcService(RayletNode node, LocalResources resources, DaemonExit exit, LeaseManager leases, WorkerPool workers,
            dev.stingray.raylet.scheduling.BundleReservations bundles) {
        this.bundles = bundles;
        this.node = node;
        this.resources = resources;
        this.exit = exit;
        this.leases = leases;
        this.workers = workers;
    }

    /** Phase one of a placement group: reserves the bundles' resources here, all or none (success=false). */
    @Override
    public void prepareBundleResources(dev.stingray.proto.PrepareBundleResourcesRequest request,
            StreamObserver<dev.stingray.proto.PrepareBundleResourcesReply> observer) {
        GrpcReplies.reply(observer, () -> dev.stingray.proto.PrepareBundleResourcesReply.newBuilder()
                .setSuccess(bundles.prepare(request.getBundleSpecsList())).build());
    }

    /** Phase two: the prepared bundles become leasable bundle resources; INVALID_ARGUMENT for a bundle never prepared. */
    @Override
    public void commitBundleResources(dev.stingray.proto.CommitBundleResourcesRequest request,
            StreamObserver<dev.stingray.proto.CommitBundleResourcesReply> observer) {
        GrpcReplies.reply(observer, () -> {
            bundles.commit(request.getBundleSpecsList());
            return dev.stingray.proto.CommitBundleResourcesReply.getDefaultInstance();
        });
    }

    /** Rolls back a prepared bundle or removes a committed one. */
    @Override
    public void cancelResourceReserve(dev.stingray.proto.CancelResourceReserveRequest request,
            StreamObserver<dev.stingray.proto.CancelResourceReserveReply> observer) {
        GrpcReplies.reply(observer, () -> {
            bundles.cancel(request.getBundleSpec());
            return dev.stingray.proto.CancelResourceReserveReply.getDefaultInstance();
        });
    }

    /** Grants a worker (possibly after starting one), answers with a spillback target, rejects, or queues the request. */
    @Override
    public void requestWorkerLease(RequestWorkerLeaseRequest request, StreamObserver<RequestWorkerLeaseReply> observer) {
        try {
            leases.handleRequestWorkerLease(request, observer);
        } catch (RuntimeException e) {
            observer.onError(GrpcReplies.toStatus(e));
        }
    }

    /** Ends a lease: the worker becomes idle (or is killed with disconnect_worker) and its resources return. */
    @Override
    public void returnWorkerLease(ReturnWorkerLeaseRequest request, StreamObserver<ReturnWorkerLeaseReply> observer) {
        GrpcReplies.reply(observer, () -> {
            leases.handleReturnWorkerLease(request.getLeaseId(), request.getDisconnectWorker());
            return ReturnWorkerLeaseReply.getDefaultInstance();
        });
    }

    /** A leased worker's task waits for objects (its CPUs go back to the node) or continues (it takes them back). */
    @Override
    public void notifyWorkerBlocked(dev.stingray.proto.NotifyWorkerBlockedRequest request,
            StreamObserver<dev.stingray.proto.NotifyWorkerBlockedReply> observer) {
        GrpcReplies.reply(observer, () -> {
            leases.handleWorkerBlocked(request.getWorkerId(), request.getBlocked());
            return dev.stingray.proto.NotifyWorkerBlockedReply.getDefaultInstance();
        });
    }

    /** A worker JVM this raylet started announces its core worker port. */
    @Override
    public void registerWorker(RegisterWorkerRequest request, StreamObserver<RegisterWorkerReply> observer) {
        GrpcReplies.reply(observer, () -> {
            workers.register(request.getWorkerId(), request.getPort());
            return RegisterWorkerReply.getDefaultInstance();
        });
    }

    /** Stops the raylet; graceful = unregister with EXPECTED_TERMINATION first (the shutdown hooks do it). */
    @Override
    public void shutdownRaylet(ShutdownRayletRequest request, StreamObserver<ShutdownRayletReply> observer) {
        GrpcReplies.reply(observer, ShutdownRayletReply::getDefaultInstance);
        exit.exit(0, "ShutdownRaylet received (graceful=" + request.getGraceful() + ")");
    }

    /** The GCS restarted: register again and report the resource view anew. */
    @Override
    public void notifyGCSRestart(NotifyGCSRestartRequest request, StreamObserver<NotifyGCSRestartReply> observer) {
        GrpcReplies.reply(observer, () -> {
            node.reRegister();
            return NotifyGCSRestartReply.getDefaultInstance();
        });
    }

    @Override
    public void getNodeStats(GetNodeStatsRequest request, StreamObserver<GetNodeStatsReply> observer) {
        GrpcReplies.reply(observer, () -> GetNodeStatsReply.newBuilder()
                .putAllResourcesTotal(resources.total())
                .putAllResourcesAvailable(resources.available())
                .setNumWorkers(workers.size())
                .build());
    }
}
