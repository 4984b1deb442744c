package dev.stingray.agent;

import com.google.protobuf.ByteString;
import dev.stingray.proto.CheckAliveReply;
import dev.stingray.proto.CheckAliveRequest;
import dev.stingray.proto.InternalKVDelReply;
import dev.stingray.proto.InternalKVDelRequest;
import dev.stingray.proto.InternalKVGcsServiceGrpc;
import dev.stingray.proto.InternalKVGetReply;
import dev.stingray.proto.InternalKVGetRequest;
import dev.stingray.proto.InternalKVKeysReply;
import dev.stingray.proto.InternalKVKeysRequest;
import dev.stingray.proto.InternalKVPutReply;
import dev.stingray.proto.InternalKVPutRequest;
import dev.stingray.proto.NodeInfoGcsServiceGrpc;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A fake GCS for tests: a real gRPC server answering {@code CheckAlive} (every asked node alive or
 * not, switchable) and the internal KV (an in-memory map). Each instance has its own random
 * instance id, so starting a new one on the same port looks like a GCS restart.
 */
final class TestingGcsServer implements AutoCloseable {

    private record Key(String namespace, String key) {
    }

    private final Map<Key, ByteString> kv = new ConcurrentHashMap<>();
    private final ByteString instanceId = ByteString.copyFromUtf8(UUID.randomUUID().toString());
    private volatile boolean rayletAlive = true;
    private final Server server;

    private TestingGcsServer(int port) {
        server = NettyServerBuilder.forPort(port)
                .addService(new NodeInfo())
                .addService(new Kv())
                .build();
    }

    /** Starts a fake GCS on {@code port} (0 = any free port). */
    static TestingGcsServer start(int port) {
        TestingGcsServer gcs = new TestingGcsServer(port);
        try {
            gcs.server.start();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start the testing GCS on port " + port, e);
        }
        return gcs;
    }

    int port() {
        return server.getPort();
    }

    void setRayletAlive(boolean alive) {
        this.rayletAlive = alive;
    }

    Optional<String> kvGet(String namespace, String key) {
        return Optional.ofNullable(kv.get(new Key(namespace, key))).map(ByteString::toStringUtf8);
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
        public void checkAlive(CheckAliveRequest request, StreamObserver<CheckAliveReply> responseObserver) {
            CheckAliveReply.Builder reply = CheckAliveReply.newBuilder().setGcsInstanceId(instanceId);
            request.getNodeIdsList().forEach(id -> reply.addRayletAlive(rayletAlive));
            responseObserver.onNext(reply.build());
            responseObserver.onCompleted();
        }
    }

    private final class Kv extends InternalKVGcsServiceGrpc.InternalKVGcsServiceImplBase {
        @Override
        public void internalKVPut(InternalKVPutRequest request, StreamObserver<InternalKVPutReply> responseObserver) {
            Key key = new Key(request.getNamespace().toStringUtf8(), request.getKey().toStringUtf8());
            boolean added = request.getOverwrite()
                    ? kv.put(key, request.getValue()) == null
                    : kv.putIfAbsent(key, request.getValue()) == null;
            responseObserver.onNext(InternalKVPutReply.newBuilder().setAdded(added).build());
            responseObserver.onCompleted();
        }

        @Override
        public void internalKVGet(InternalKVGetRequest request, StreamObserver<InternalKVGetReply> responseObserver) {
            ByteString value = kv.get(new Key(request.getNamespace().toStringUtf8(), request.getKey().toStringUtf8()));
            if (value == null) {
                responseObserver.onError(Status.NOT_FOUND.withDescription("no key " + request.getKey().toStringUtf8()).asRuntimeException());
                return;
            }
            responseObserver.onNext(InternalKVGetReply.newBuilder().setValue(value).build());
            responseObserver.onCompleted();
        }

        @Override
        public void internalKVDel(InternalKVDelRequest request, StreamObserver<InternalKVDelReply> responseObserver) {
            String ns = request.getNamespace().toStringUtf8();
            String k = request.getKey().toStringUtf8();
            int before = kv.size();
            kv.keySet().removeIf(key -> key.namespace().equals(ns)
                    && (request.getDelByPrefix() ? key.key().startsWith(k) : key.key().equals(k)));
            responseObserver.onNext(InternalKVDelReply.newBuilder().setDeletedNum(before - kv.size()).build());
            responseObserver.onCompleted();
        }

        @Override
        public void internalKVKeys(InternalKVKeysRequest request, StreamObserver<InternalKVKeysReply> responseObserver) {
            String ns = request.getNamespace().toStringUtf8();
            String prefix = request.getPrefix().toStringUtf8();
            InternalKVKeysReply.Builder reply = InternalKVKeysReply.newBuilder();
            kv.keySet().stream().filter(k -> k.namespace().equals(ns) && k.key().startsWith(prefix))
                    .forEach(k -> reply.addResults(ByteString.copyFromUtf8(k.key())));
            responseObserver.onNext(reply.build());
            responseObserver.onCompleted();
        }
    }
}
