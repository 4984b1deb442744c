package dev.stingray.clientproxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import dev.stingray.common.boot.DaemonRegistration;
import dev.stingray.common.discovery.ServiceNames;
import dev.stingray.common.id.NodeId;
import dev.stingray.proto.GcsNodeInfo;
import dev.stingray.proto.JobTableData;
import dev.stingray.proto.RayObject;
import dev.stingray.proto.client.ClientJobConfig;
import dev.stingray.proto.client.ClientObjects;
import dev.stingray.proto.client.GetRequest;
import dev.stingray.proto.client.GetResponse;
import dev.stingray.proto.client.HeartbeatRequest;
import dev.stingray.proto.client.HeartbeatResponse;
import dev.stingray.proto.client.InitRequest;
import dev.stingray.proto.client.InitResponse;
import dev.stingray.proto.client.PutRequest;
import dev.stingray.proto.client.PutResponse;
import dev.stingray.proto.client.RayletDriverGrpc;
import dev.stingray.proto.client.ReleaseRequest;
import dev.stingray.proto.client.TerminateRequest;
import dev.stingray.proto.client.WaitRequest;
import dev.stingray.proto.client.WaitResponse;
import dev.stingray.runtime.client.ClientChunks;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Client-mode sessions on the real server against a hand-written GCS: a session's driver registers a
 * job, holds the client's objects (put/get/wait/release, chunked both ways), survives a disconnect for
 * the (shortened) reconnect grace period, and is released after it, after which a reconnect fails with
 * Ray's "session that has already been cleaned up".
 */
@SpringBootTest(properties = {"stingray.client-proxy.port=0", "stingray.client-proxy.reconnect-grace-period=2s"})
class ClientSessionIT {

    static final TestingGcsServer GCS = TestingGcsServer.started();
    static final ByteString RAW = ByteString.copyFromUtf8("RAW");

    static {
        // No raylet runs here: keep client objects in the session driver's memory (the node store path is
        // covered end to end by RayClientModeE2ETest).
        System.setProperty("ray.max-direct-call-object-size", Long.toString(64L * 1024 * 1024));
        GCS.addNode(GcsNodeInfo.newBuilder().setNodeId(NodeId.random().bytes()).setNodeManagerAddress("127.0.0.1")
                .setNodeManagerPort(40000).setIsHeadNode(true).setState(GcsNodeInfo.GcsNodeState.ALIVE).build());
    }

    @DynamicPropertySource
    static void gcsAddress(DynamicPropertyRegistry registry) {
        registry.add("stingray.cluster.gcs-address", GCS::address);
    }

    @AfterAll
    static void stopGcs() throws InterruptedException {
        GCS.close();
    }

    @Autowired
    DaemonRegistration registration;

    final List<ManagedChannel> channels = new ArrayList<>();

    @AfterEach
    void disconnect() {
        channels.forEach(ManagedChannel::shutdownNow);
    }

    /** One connection of a client, with its metadata. */
    final class Connection {
        final RayletDriverGrpc.RayletDriverBlockingStub blocking;
        final RayletDriverGrpc.RayletDriverStub async;

        Connection(String clientId, boolean reconnecting) {
            ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", registration.port(ServiceNames.GRPC_PORT)).usePlaintext()
                    .maxInboundMessageSize(64 * 1024 * 1024).build();
            channels.add(channel);
            Metadata headers = new Metadata();
            headers.put(ClientIdInterceptor.CLIENT_ID_HEADER, clientId);
            headers.put(ClientIdInterceptor.RECONNECTING_HEADER, reconnecting ? "True" : "False");
            blocking = RayletDriverGrpc.newBlockingStub(channel).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
                    .withDeadlineAfter(30, TimeUnit.SECONDS);
            async = RayletDriverGrpc.newStub(channel).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
        }

        InitResponse init() {
            return blocking.init(InitRequest.newBuilder().setJobConfig(ClientJobConfig.newBuilder().setNamespace("ns")
                    .addCodeSearchPath("/tmp/classes")).build());
        }

        ClientCallStreamObserver<HeartbeatRequest> heartbeat() {
            var stream = (ClientCallStreamObserver<HeartbeatRequest>) async.heartbeat(new StreamObserver<HeartbeatResponse>() {
                @Override
                public void onNext(HeartbeatResponse value) {
                }

                @Override
                public void onError(Throwable t) {
                }

                @Override
                public void onCompleted() {
                }
            });
            stream.onNext(HeartbeatRequest.getDefaultInstance());
            return stream;
        }

        PutResponse put(RayObject value, int chunkBytes) {
            CompletableFuture<PutResponse> reply = new CompletableFuture<>();
            StreamObserver<PutRequest> call = async.putObject(new StreamObserver<>() {
                @Override
                public void onNext(PutResponse value) {
                    reply.complete(value);
                }

                @Override
                public void onError(Throwable t) {
                    reply.completeExceptionally(t);
                }

                @Override
                public void onCompleted() {
                }
            });
            ByteString data = value.toByteString();
            int total = (data.size() + chunkBytes - 1) / chunkBytes;
            for (int i = 0; i < total; i++) {
                call.onNext(PutRequest.newBuilder().setChunkId(i).setTotalChunks(total).setTotalSize(data.size())
                        .setData(data.substring(i * chunkBytes, Math.min(data.size(), (i + 1) * chunkBytes))).build());
            }
            call.onCompleted();
            return reply.orTimeout(30, TimeUnit.SECONDS).join();
        }

        /** The chunks of a get, reassembled. */
        List<GetResponse> getChunks(ByteString id, long timeoutMs) {
            List<GetResponse> chunks = new ArrayList<>();
            Iterator<GetResponse> it = blocking.getObject(GetRequest.newBuilder().addIds(id).setTimeoutMs(timeoutMs).build());
            it.forEachRemaining(chunks::add);
            return chunks;
        }

        RayObject get(ByteString id) throws Exception {
            List<GetResponse> chunks = getChunks(id, 10_000);
            assertThat(chunks).allSatisfy(c -> assertThat(c.getValid()).as(c.getError()).isTrue());
            ByteString data = ByteString.copyFrom(chunks.stream().map(GetResponse::getData).toList());
            return ClientObjects.parseFrom(data).getObjects(0);
        }
    }

    private static RayObject raw(int size) {
        byte[] bytes = new byte[size];
        new Random(size).nextBytes(bytes);
        return RayObject.newBuilder().setData(ByteString.copyFrom(bytes)).setMetadata(RAW).build();
    }

    private static JobTableData job(ByteString jobId) {
        return GCS.jobs().stream().filter(j -> j.getJobId().equals(jobId)).findFirst().orElseThrow();
    }

    @Test
    void aSessionRegistersItsJobAndHoldsObjectsUntilReleasedOrTerminated() throws Exception {
        Connection client = new Connection(UUID.randomUUID().toString().replace("-", ""), false);
        InitResponse init = client.init();
        assertThat(init.getOk()).isTrue();
        assertThat(init.getNamespace()).isEqualTo("ns");
        client.heartbeat();
        JobTableData job = job(init.getJobId());
        assertThat(job.getIsDead()).isFalse();
        assertThat(job.getConfig().getRayNamespace()).isEqualTo("ns");
        assertThat(job.getConfig().getCodeSearchPathList()).containsExactly("/tmp/classes");

        // 12 MiB: three 5 MiB chunks each way.
        RayObject big = raw(12 * 1024 * 1024);
        PutResponse put = client.put(big, ClientChunks.CHUNK_BYTES);
        assertThat(put.getValid()).as(put.getError()).isTrue();
        assertThat(put.getOwner().getPort()).isPositive();
        assertThat(client.getChunks(put.getId(), 10_000)).hasSize(3);
        assertThat(client.get(put.getId())).isEqualTo(big);

        RayObject small = raw(10);
        ByteString smallId = client.put(small, ClientChunks.CHUNK_BYTES).getId();
        WaitResponse waited = client.blocking.waitObject(WaitRequest.newBuilder().addObjectIds(smallId).addObjectIds(put.getId())
                .setNumReturns(2).setTimeoutMs(5_000).build());
        assertThat(waited.getReadyObjectIdsList()).containsExactly(smallId, put.getId());

        assertThat(client.blocking.releaseObject(ReleaseRequest.newBuilder().addIds(put.getId()).build()).getReleased()).isEqualTo(1);
        GetResponse released = client.getChunks(put.getId(), 1_000).get(0);
        assertThat(released.getValid()).isFalse();
        assertThat(released.getError()).contains("is not held by the session");

        assertThat(client.blocking.terminate(TerminateRequest.getDefaultInstance()).getOk()).isTrue();
        assertThat(job(init.getJobId()).getIsDead()).isTrue();
        assertThatThrownBy(() -> client.get(smallId)).isInstanceOfSatisfying(StatusRuntimeException.class,
                e -> assertThat(e.getStatus().getDescription()).contains("session that has already been cleaned up"));
    }

    @Test
    void badChunkSequencesAndUnknownSessionsAreClearErrors() {
        Connection stranger = new Connection(UUID.randomUUID().toString().replace("-", ""), false);
        assertThatThrownBy(() -> stranger.getChunks(ByteString.copyFromUtf8("x"), 10)).isInstanceOfSatisfying(StatusRuntimeException.class,
                e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
                    assertThat(e.getStatus().getDescription()).contains("call Init first");
                });
        stranger.init();
        stranger.heartbeat();
        CompletableFuture<PutResponse> reply = new CompletableFuture<>();
        StreamObserver<PutRequest> call = stranger.async.putObject(new StreamObserver<>() {
            @Override
            public void onNext(PutResponse value) {
                reply.complete(value);
            }

            @Override
            public void onError(Throwable t) {
                reply.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {
            }
        });
        call.onNext(PutRequest.newBuilder().setChunkId(1).setTotalChunks(2).setTotalSize(4).setData(ByteString.copyFromUtf8("ab")).build());
        call.onCompleted();
        PutResponse response = reply.orTimeout(10, TimeUnit.SECONDS).join();
        assertThat(response.getValid()).isFalse();
        assertThat(response.getError()).contains("expected chunk 0");
        stranger.blocking.terminate(TerminateRequest.getDefaultInstance());
    }

    @Test
    void aDisconnectedClientResumesWithinTheGracePeriodAndIsReleasedAfterIt() throws Exception {
        String clientId = UUID.randomUUID().toString().replace("-", "");
        Connection first = new Connection(clientId, false);
        InitResponse init = first.init();
        var heartbeat = first.heartbeat();
        RayObject value = raw(1000);
        ByteString id = first.put(value, ClientChunks.CHUNK_BYTES).getId();

        // The client goes away: the session and its objects are kept for the grace period.
        heartbeat.cancel("client lost its network", null);
        Connection second = new Connection(clientId, true);
        InitResponse resumed = second.init();
        assertThat(resumed.getOk()).isTrue();
        assertThat(resumed.getJobId()).isEqualTo(init.getJobId());
        var secondHeartbeat = second.heartbeat();
        assertThat(second.get(id)).isEqualTo(value);
        assertThat(job(init.getJobId()).getIsDead()).isFalse();

        // Gone for longer than the grace period (2 s): released, job finished, reconnect refused.
        secondHeartbeat.cancel("client died", null);
        await().atMost(Duration.ofSeconds(15)).until(() -> job(init.getJobId()).getIsDead());
        Connection late = new Connection(clientId, true);
        assertThatThrownBy(late::init).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
            assertThat(e.getStatus().getDescription()).contains("session that has already been cleaned up");
        });
        assertThatThrownBy(() -> late.get(id)).isInstanceOfSatisfying(StatusRuntimeException.class,
                e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
    }
}
