package dev.stingray.runtime.runtimeenv;

import com.google.protobuf.ByteString;
import dev.stingray.common.gcs.GcsClient;
import dev.stingray.proto.PinRuntimeEnvURIRequest;
import dev.stingray.proto.RuntimeEnvGcsServiceGrpc;
import java.util.concurrent.TimeUnit;

/**
 * Where {@link RuntimeEnvPackager} puts packages: the GCS internal KV (key = the package URI, default namespace),
 * reached directly by in-cluster drivers and workers ({@link #gcs}) or through the Ray Client server's KV calls by a
 * client ({@code ClientRuntime}).
 */
public interface PackageStore {

    /** Keeps {@code uri} for {@code seconds} even when no job or actor refers to it (Ray's temporary reference). */
    void pin(String uri, int seconds);

    boolean exists(String uri);

    /** Stores the package; an existing one of that content-addressed name stays as it is. */
    void put(String uri, ByteString zip);

    /** The GCS of an in-cluster process. */
    static PackageStore gcs(GcsClient gcs) {
        return new PackageStore() {
            @Override
            public void pin(String uri, int seconds) {
                RuntimeEnvGcsServiceGrpc.newBlockingStub(gcs.channel()).withDeadlineAfter(10, TimeUnit.SECONDS)
                        .pinRuntimeEnvURI(PinRuntimeEnvURIRequest.newBuilder().setUri(uri).setExpirationS(seconds).build());
            }

            @Override
            public boolean exists(String uri) {
                return gcs.kvExists("", uri);
            }

            @Override
            public void put(String uri, ByteString zip) {
                gcs.kvPut("", uri, zip, false);
            }
        };
    }
}
