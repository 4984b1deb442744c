package dev.stingray.raylet;

import com.google.protobuf.ByteString;
import dev.stingray.proto.CheckAliveReply;
import dev.stingray.proto.CheckAliveRequest;
import dev.stingray.proto.GcsNodeInfo;
import dev.stingray.proto.GetAllNodeInfoReply;
import dev.stingray.proto.GetAllNodeInfoRequest;
import dev.stingray.proto.InternalKVDelReply;
import dev.stingray.proto.InternalKVDelRequest;
import dev.stingray.proto.InternalKVGcsServiceGrpc;
import dev.stingray.proto.InternalKVPutReply;
import dev.stingray.proto.InternalKVPutRequest;
import dev.stingray.proto.NodeInfoGcsServiceGrpc;
import dev.stingray.proto.NodeResourceInfoGcsServiceGrpc;
import dev.stingray.proto.RegisterNodeReply;
import dev.stingray.proto.RegisterNodeRequest;
import dev.stingray.proto.ReportResourceUsageReply;
import dev.stingray.proto.ReportResourceUsageRequest;
import dev.stingray.proto.ResourcesData;
import dev.stingray.proto.UnregisterNodeReply;
import dev.stingray.proto.UnregisterNodeRequest;
import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A fake GCS for the raylet: a real gRPC server on a free port recording every {@code RegisterNode},
 * {@code UnregisterNode} and {@code ReportResourceUsage}, answering {@code CheckAlive} (a node is
 * alive until it unregisters) with a switchable instance id (changing it looks like a GCS restart),
 * {@code GetAllNodeInfo}, and the KV {@code Put}/{@code Del} the daemon registration uses.
 */
final class TestingGcsServer implements AutoCloseable {

    private record Key(String namespace, String key) {
    }

    private final List<GcsNodeInfo> registrations = new CopyOnWriteArrayList<>();
    private final List<UnregisterNodeRequest> unregistrations = new CopyOnWriteArrayList<>();
    private final List<ResourcesData> reports = new CopyOnWriteArrayList<>();
    private final Map<ByteString, GcsNodeInfo> nodes = new ConcurrentHashMap<>();
    private final Map<Key, ByteString> kv = new ConcurrentHashMap<>();
    private volatile ByteString instanceId = ByteString.copyFromUtf8("gcs-instance-1");
    private final Server server;

    private TestingGcsServer() {
        server = NettyServerBuilder.forPort(0)
                .addService(new NodeInfo())
                .addService(new NodeResourceInfo())
                .addService(new Kv())
                .build();
    }

    static TestingGcsServer start() {
        TestingGcsServer gcs = new TestingGcsServer();
        try {
            gcs.server.start();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start the testing GCS", e);
        }
        return gcs;
    }

    String address() {
        return "127.0.0.1:" + server.getPort();
    }

    /** Pretends the GCS process was replaced: the next {@code CheckAlive} answers with a new instance id. */
    void restart(String newInstanceId) {
        instanceId = ByteString.copyFromUtf8(newInstanceId);
    }

    List<GcsNodeInfo> registrationsOf(String nodeHex) {
        return registrations.stream().filter(n -> hex(n.getNodeId()).equals(nodeHex)).toList();
    }

    List<UnregisterNodeRequest> unregistrationsOf(String nodeHex) {
        return unregistrations.stream().filter(u -> hex(u.getNodeId()).equals(nodeHex)).toList();
    }

    List<ResourcesData> reportsOf(String nodeHex) {
        return reports.stream().filter(r -> hex(r.getNodeId()).equals(nodeHex)).toList();
    }

    Optional<String> kvGet(String namespace, String key) {
        return Optional.ofNullable(kv.get(new Key(namespace, key))).map(ByteString::toStringUtf8);
    }

    private static String hex(ByteString id) {
        return java.util.HexFormat.of().formatHex(id.toByteArray());
    }

    @Override
    public void close() {
        server.shutdownNow();
        try {
            server.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private final class NodeInfo extends NodeInfoGcsServiceGrpc.NodeInfoGcsServiceImplBase {
        @Override
        public void registerNode(RegisterNodeRequest request, StreamObserver<RegisterNodeReply> observer) {
            registrations.add(request.getNodeInfo());
            nodes.put(request.getNodeInfo().getNodeId(), request.getNodeInfo());
            observer.onNext(RegisterNodeReply.getDefaultInstance());
            observer.onCompleted();
        }

        @Override
        public void unregisterNode(UnregisterNodeRequest request, StreamObserver<UnregisterNodeReply> observer) {
            unregistrations.add(request);
            nodes.computeIfPresent(request.getNodeId(), (id, node) -> node.toBuilder()
                    .setState(GcsNodeInfo.GcsNodeState.DEAD).setDeathInfo(request.getNodeDeathInfo()).build());
            observer.onNext(UnregisterNodeReply.getDefaultInstance());
            observer.onCompleted();
        }

        @Override
        public void checkAlive(CheckAliveRequest request, StreamObserver<CheckAliveReply> observer) {
            CheckAliveReply.Builder reply = CheckAliveReply.newBuilder().setGcsInstanceId(instanceId);
            request.getNodeIdsList().forEach(id -> reply.addRayletAlive(
                    Optional.ofNullable(nodes.get(id)).map(n -> n.getState() == GcsNodeInfo.GcsNodeState.ALIVE).orElse(false)));
            observer.onNext(reply.build());
            observer.onCompleted();
        }

        @Override
        public void getAllNodeInfo(GetAllNodeInfoRequest request, StreamObserver<GetAllNodeInfoReply> observer) {
            List<GcsNodeInfo> selected = nodes.values().stream()
                    .filter(n -> request.getNodeSelectorsList().isEmpty() || request.getNodeSelectorsList().stream()
                            .anyMatch(s -> s.getNodeId().equals(n.getNodeId())))
                    .toList();
            observer.onNext(GetAllNodeInfoReply.newBuilder().addAllNodeInfoList(selected).setTotal(nodes.size()).build());
            observer.onCompleted();
        }
    }

    private final class NodeResourceInfo extends NodeResourceInfoGcsServiceGrpc.NodeResourceInfoGcsServiceImplBase {
        @Override
        public void reportResourceUsage(ReportResourceUsageRequest request, StreamObserver<ReportResourceUsageReply> observer) {
            reports.add(request.getResources());
            observer.onNext(ReportResourceUsageReply.getDefaultInstance());
            observer.onCompleted();
        }
    }

    private final class Kv extends InternalKVGcsServiceGrpc.InternalKVGcsServiceImplBase {
        @Override
        public void internalKVPut(InternalKVPutRequest request, StreamObserver<InternalKVPutReply> observer) {
            Key key = new Key(request.getNamespace().toStringUtf8(), request.getKey().toStringUtf8());
            boolean added = request.getOverwrite()
                    ? kv.put(key, request.getValue()) == null
                    : kv.putIfAbsent(key, request.getValue()) == null;
            observer.onNext(InternalKVPutReply.newBuilder().setAdded(added).build());
            observer.onCompleted();
        }

        @Override
        public void internalKVDel(InternalKVDelRequest request, StreamObserver<InternalKVDelReply> observer) {
            Key key = new Key(request.getNamespace().toStringUtf8(), request.getKey().toStringUtf8());
            int deleted = kv.remove(key) == null ? 0 : 1;
            observer.onNext(InternalKVDelReply.newBuilder().setDeletedNum(deleted).build());
            observer.onCompleted();
        }
    }
}
