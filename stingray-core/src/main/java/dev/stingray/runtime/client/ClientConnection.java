package dev.stingray.runtime.client;

import dev.stingray.common.rpc.GrpcChannels;
import dev.stingray.common.rpc.HostAndPort;
import dev.stingray.proto.client.HeartbeatRequest;
import dev.stingray.proto.client.HeartbeatResponse;
import dev.stingray.proto.client.InitRequest;
import dev.stingray.proto.client.InitResponse;
import dev.stingray.proto.client.LogData;
import dev.stingray.proto.client.LogSettingsRequest;
import dev.stingray.proto.client.RayletDriverGrpc;
import dev.stingray.proto.client.RayletLogStreamerGrpc;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.ForwardingClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.io.PrintStream;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A Ray Client's connection to the Ray Client server (Ray: {@code python/ray/util/client/worker.py::Worker}):
 * the channel, whose every call carries the {@code client_id} and {@code reconnecting} metadata, the
 * session's {@code Init}, the {@code Heartbeat} stream that tells the server the client is alive, and
 * the {@code Logstream} that prints the cluster's worker output on this console.
 *
 * <p>When the heartbeat stream breaks, the connection tries to resume the session (Init with
 * {@code reconnecting=true}) once a second for the reconnect grace period, as Ray's client does; a
 * server that has already cleaned the session up answers NOT_FOUND and the connection gives up.
 */
final class ClientConnection implements AutoCloseable {

    static final Metadata.Key<String> CLIENT_ID = Metadata.Key.of("client_id", Metadata.ASCII_STRING_MARSHALLER);
    static final Metadata.Key<String> RECONNECTING = Metadata.Key.of("reconnecting", Metadata.ASCII_STRING_MARSHALLER);

    private final String address;
    private final String clientId = UUID.randomUUID().toString().replace("-", "");
    private final ManagedChannel managed;
    private final Channel channel;
    private volatile InitRequest init;
    private final Duration gracePeriod;
    private final boolean logToDriver;
    private final PrintStream out;
    private final PrintStream err;
    private final ScheduledExecutorService reconnector;
    private volatile boolean reconnecting;
    private volatile boolean closed;
    private StreamObserver<HeartbeatRequest> heartbeat;
    private StreamObserver<LogSettingsRequest> logstream;

    ClientConnection(String address, Duration gracePeriod, boolean logToDriver, PrintStream out, PrintStream err) {
        this.address = address;
        HostAndPort hp = HostAndPort.parse(address);
        this.managed = NettyChannelBuilder.forAddress(hp.host(), hp.port()).usePlaintext()
                // No client keepalive pings: the server's default policy answers pings more often than every
                // 5 minutes with GOAWAY (too_many_pings); the heartbeat stream detects a lost connection.
                .maxInboundMessageSize(GrpcChannels.MAX_MESSAGE_BYTES).build();
        this.channel = ClientInterceptors.intercept(managed, new MetadataInterceptor());
        this.gracePeriod = gracePeriod;
        this.logToDriver = logToDriver;
        this.out = out;
        this.err = err;
        this.reconnector = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "ray-client-reconnect");
            t.setDaemon(true);
            return t;
        });
    }

    String address() {
        return address;
    }

    String clientId() {
        return clientId;
    }

    /** A blocking stub of the driver service on this connection. */
    RayletDriverGrpc.RayletDriverBlockingStub blocking() {
        return RayletDriverGrpc.newBlockingStub(channel);
    }

    /** An async stub of the driver service on this connection. */
    RayletDriverGrpc.RayletDriverStub async() {
        return RayletDriverGrpc.newStub(channel);
    }

    /** Opens the session (and, on a lost connection, resumes it with the same request) and its streams. */
    InitResponse open(InitRequest init) {
        this.init = init;
        InitResponse response;
        try {
            response = blocking().withDeadlineAfter(60, TimeUnit.SECONDS).init(init);
        } catch (StatusRuntimeException e) {
            throw new IllegalStateException("Cannot connect to the Ray Client server at ray://" + address + ": "
                    + e.getStatus().getCode() + " " + e.getStatus().getDescription(), e);
        }
        if (!response.getOk()) {
            throw new IllegalStateException("The Ray Client server at ray://" + address + " refused the session: " + response.getMsg());
        }
        openStreams();
        return response;
    }

    private synchronized void openStreams() {
        heartbeat = async().heartbeat(new StreamObserver<>() {
            @Override
            public void onNext(HeartbeatResponse value) {
            }

            @Override
            public void onError(Throwable t) {
                connectionLost(t);
            }

            @Override
            public void onCompleted() {
                connectionLost(Status.UNAVAILABLE.withDescription("the server ended the heartbeat stream").asRuntimeException());
            }
        });
        heartbeat.onNext(HeartbeatRequest.getDefaultInstance());
        if (logToDriver) {
            logstream = RayletLogStreamerGrpc.newStub(channel).logstream(new StreamObserver<>() {
                @Override
                public void onNext(LogData line) {
                    // Ray's client prints worker lines as they come: -1 stdout, -2 stderr.
                    (line.getLevel() == -2 ? err : out).println(line.getMsg());
                }

                @Override
                public void onError(Throwable t) {
                    // Reopened with the heartbeat on reconnect.
                }

                @Override
                public void onCompleted() {
                }
            });
            logstream.onNext(LogSettingsRequest.newBuilder().setEnabled(true).setLoglevel(20).build());
        }
    }

    private void connectionLost(Throwable cause) {
        if (closed || reconnecting) {
            return;
        }
        reconnecting = true;
        err.println("Ray Client: lost the connection to ray://" + address + " (" + cause.getMessage() + "); reconnecting for up to "
                + gracePeriod.toSeconds() + " s");
        long deadline = System.nanoTime() + gracePeriod.toNanos();
        reconnector.schedule(() -> tryReconnect(deadline), 1, TimeUnit.SECONDS);
    }

    private void tryReconnect(long deadline) {
        if (closed) {
            return;
        }
        try {
            InitResponse response = blocking().withDeadlineAfter(10, TimeUnit.SECONDS).init(init);
            if (response.getOk()) {
                openStreams();
                reconnecting = false;
                err.println("Ray Client: reconnected to ray://" + address);
                return;
            }
            err.println("Ray Client: the server refused to resume the session: " + response.getMsg());
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
                err.println("Ray Client: cannot resume the session: " + e.getStatus().getDescription());
                return;
            }
            if (System.nanoTime() < deadline) {
                reconnector.schedule(() -> tryReconnect(deadline), 1, TimeUnit.SECONDS);
                return;
            }
            err.println("Ray Client: gave up reconnecting to ray://" + address + " after " + gracePeriod.toSeconds() + " s");
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        reconnector.shutdownNow();
        if (logstream != null) {
            try {
                logstream.onCompleted();
            } catch (RuntimeException e) {
                // Already broken.
            }
        }
        if (heartbeat != null) {
            try {
                heartbeat.onCompleted();
            } catch (RuntimeException e) {
                // Already broken.
            }
        }
        GrpcChannels.close(managed);
    }

    /** Adds {@code client_id} and {@code reconnecting} to every call (Ray: {@code _call_stub} metadata). */
    private final class MetadataInterceptor implements ClientInterceptor {
        @Override
        public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(MethodDescriptor<ReqT, RespT> method, CallOptions options, Channel next) {
            return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
                @Override
                public void start(Listener<RespT> listener, Metadata headers) {
                    headers.put(CLIENT_ID, clientId);
                    headers.put(RECONNECTING, reconnecting ? "True" : "False");
                    super.start(listener, headers);
                }
            };
        }
    }
}
