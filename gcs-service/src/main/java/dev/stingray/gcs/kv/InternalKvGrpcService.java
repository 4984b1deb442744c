package dev.stingray.gcs.kv;

import dev.stingray.common.rpc.GrpcReplies;
import dev.stingray.proto.InternalKVDelReply;
import dev.stingray.proto.InternalKVDelRequest;
import dev.stingray.proto.InternalKVExistsReply;
import dev.stingray.proto.InternalKVExistsRequest;
import dev.stingray.proto.InternalKVGcsServiceGrpc;
import dev.stingray.proto.InternalKVGetReply;
import dev.stingray.proto.InternalKVGetRequest;
import dev.stingray.proto.InternalKVKeysReply;
import dev.stingray.proto.InternalKVKeysRequest;
import dev.stingray.proto.InternalKVMultiGetReply;
import dev.stingray.proto.InternalKVMultiGetRequest;
import dev.stingray.proto.InternalKVPutReply;
import dev.stingray.proto.InternalKVPutRequest;
import dev.stingray.proto.MapFieldEntry;
import io.grpc.stub.StreamObserver;

/** gRPC adapter of {@link GcsInternalKvManager} ({@code InternalKVGcsService}). */
public final class InternalKvGrpcService extends InternalKVGcsServiceGrpc.InternalKVGcsServiceImplBase {

    private final GcsInternalKvManager kv;

    public InternalKvGrpcService(GcsInternalKvManager kv) {
        this.kv = kv;
    }

    /** Value of a key; NOT_FOUND when missing. */
    @Override
    public void internalKVGet(InternalKVGetRequest request, StreamObserver<InternalKVGetReply> observer) {
        GrpcReplies.reply(observer, () -> InternalKVGetReply.newBuilder()
                .setValue(kv.handleGet(request.getNamespace(), request.getKey())).build());
    }

    /** Values of the keys that exist. */
    @Override
    public void internalKVMultiGet(InternalKVMultiGetRequest request, StreamObserver<InternalKVMultiGetReply> observer) {
        GrpcReplies.reply(observer, () -> {
            InternalKVMultiGetReply.Builder reply = InternalKVMultiGetReply.newBuilder();
            kv.handleMultiGet(request.getNamespace(), request.getKeysList())
                    .forEach((k, v) -> reply.addResults(MapFieldEntry.newBuilder().setKey(k).setValue(v)));
            return reply.build();
        });
    }

    /** Stores a value; {@code added} tells whether the key was new. */
    @Override
    public void internalKVPut(InternalKVPutRequest request, StreamObserver<InternalKVPutReply> observer) {
        GrpcReplies.reply(observer, () -> InternalKVPutReply.newBuilder()
                .setAdded(kv.handlePut(request.getNamespace(), request.getKey(), request.getValue(), request.getOverwrite()))
                .build());
    }

    /** Deletes a key or every key with a prefix. */
    @Override
    public void internalKVDel(InternalKVDelRequest request, StreamObserver<InternalKVDelReply> observer) {
        GrpcReplies.reply(observer, () -> InternalKVDelReply.newBuilder()
                .setDeletedNum(kv.handleDel(request.getNamespace(), request.getKey(), request.getDelByPrefix())).build());
    }

    @Override
    public void internalKVExists(InternalKVExistsRequest request, StreamObserver<InternalKVExistsReply> observer) {
        GrpcReplies.reply(observer, () -> InternalKVExistsReply.newBuilder()
                .setExists(kv.handleExists(request.getNamespace(), request.getKey())).build());
    }

    /** Keys with a prefix, namespace stripped. */
    @Override
    public void internalKVKeys(InternalKVKeysRequest request, StreamObserver<InternalKVKeysReply> observer) {
        GrpcReplies.reply(observer, () -> InternalKVKeysReply.newBuilder()
                .addAllResults(kv.handleKeys(request.getNamespace(), request.getPrefix())).build());
    }
}
