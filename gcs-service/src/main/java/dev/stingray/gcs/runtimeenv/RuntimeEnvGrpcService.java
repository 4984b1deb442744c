package dev.stingray.gcs.runtimeenv;

import dev.stingray.common.rpc.GrpcReplies;
import dev.stingray.proto.PinRuntimeEnvURIReply;
import dev.stingray.proto.PinRuntimeEnvURIRequest;
import dev.stingray.proto.RuntimeEnvGcsServiceGrpc;
import io.grpc.stub.StreamObserver;

/** gRPC adapter of {@link GcsRuntimeEnvManager} ({@code RuntimeEnvGcsService}). */
public final class RuntimeEnvGrpcService extends RuntimeEnvGcsServiceGrpc.RuntimeEnvGcsServiceImplBase {

    private final GcsRuntimeEnvManager runtimeEnvs;

    public RuntimeEnvGrpcService(GcsRuntimeEnvManager runtimeEnvs) {
        this.runtimeEnvs = runtimeEnvs;
    }

    /** Keeps an uploaded package for {@code expiration_s} seconds; INVALID_ARGUMENT for a URI that is not a package. */
    @Override
    public void pinRuntimeEnvURI(PinRuntimeEnvURIRequest request, StreamObserver<PinRuntimeEnvURIReply> observer) {
        GrpcReplies.reply(observer, () -> {
            runtimeEnvs.handlePinRuntimeEnvUri(request.getUri(), request.getExpirationS());
            return PinRuntimeEnvURIReply.getDefaultInstance();
        });
    }
}
