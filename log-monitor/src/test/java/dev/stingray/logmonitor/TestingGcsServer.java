package dev.stingray.logmonitor;

import com.google.protobuf.ByteString;
import dev.stingray.proto.CheckAliveReply;
import dev.stingray.proto.CheckAliveRequest;
import dev.stingray.proto.GcsPublishReply;
import dev.stingray.proto.GcsPublishRequest;
import dev.stingray.proto.InternalKVDelReply;
import dev.stingray.proto.InternalKVDelRequest;
import dev.stingray.proto.InternalKVGcsServiceGrpc;
import dev.stingray.proto.InternalKVPutReply;
import dev.stingray.proto.InternalKVPutRequest;
import dev.stingray.proto.InternalPubSubGcsServiceGrpc;
import dev.stingray.proto.NodeInfoGcsServiceGrpc;
import dev.stingray.proto.PubMessage;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.netty.channel.ChannelOption;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A fake GCS for tests: a real gRPC server serving {@code GcsPublish} (recording every PubMessage),
 * {@code CheckAlive} (so the daemon's connection monitor sees a live GCS) and the KV puts/deletes of the
 * service registry. It can be stopped and started again on the same port to simulate an outage, or told
 * to answer UNAVAILABLE while staying up.
 */
final class TestingGcsServer implements AutoCloseable {

    private final List<PubMessage> published = new CopyOnWriteArrayList<>();
    private final ByteString instanceId = ByteString.copyFromUtf8("testing-gcs");
    private volatile boolean unavailable;
    private Server server;
    private int port;

    /** Starts serving, on an ephemeral port the first time and on the same port after {@link #stop()}. */
    TestingGcsServer start() {
        try {
            server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port))
                    .withOption(ChannelOption.SO_REUSEADDR, true)
                    .addService(new PubSub())
                    .addService(new NodeInfo())
                    .addService(new Kv())
                    .build()
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start the testing GCS on port " + port, e);
        }
        port = server.getPort();
        return this;
    }

    /** Stops serving; {@link #start()} serves again on the same port. */
    void stop() {
        server.shutdownNow();
        try {
            server.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** While set, GcsPublish answers UNAVAILABLE without recording. */
    void setUnavailable(boolean unavailable) {
        this.unavailable = unavailable;
    }

    String address() {
        return "127.0.0.1:" + port;
    }

    List<PubMessage> published() {
        return published;
    }

    @Override
    public void close() {
        stop();
    }

    private final class PubSub extends InternalPubSubGcsServiceGrpc.InternalPubSubGcsServiceImplBase {
        @Override
        public void gcsPublish(GcsPublishRequest request, StreamObserver<GcsPublishReply> observer) {
            if (unavailable) {
                observer.onError(Status.UNAVAILABLE.withDescription("testing GCS is unavailable").asRuntimeException());
                return;
            }
            published.addAll(request.getPubMessagesList());
            observer.onNext(GcsPublishReply.getDefaultInstance());
            observer.onCompleted();
        }
    }

    private final class NodeInfo extends NodeInfoGcsServiceGrpc.NodeInfoGcsServiceImplBase {
        @Override
        public void checkAlive(CheckAliveRequest request, StreamObserver<CheckAliveReply> observer) {
            CheckAliveReply.Builder reply = CheckAliveReply.newBuilder().setGcsInstanceId(instanceId);
            request.getNodeIdsList().forEach(n -> reply.addRayletAlive(true));
            observer.onNext(reply.build());
            observer.onCompleted();
        }
    }

    private static final class Kv extends InternalKVGcsServiceGrpc.InternalKVGcsServiceImplBase {
        @Override
        public void internalKVPut(InternalKVPutRequest request, StreamObserver<InternalKVPutReply> observer) {
            observer.onNext(InternalKVPutReply.newBuilder().setAdded(true).build());
            observer.onCompleted();
        }

        @Override
        public void internalKVDel(InternalKVDelRequest request, StreamObserver<InternalKVDelReply> observer) {
            observer.onNext(InternalKVDelReply.getDefaultInstance());
            observer.onCompleted();
        }
    }
}
