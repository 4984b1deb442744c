package dev.stingray.common.gcs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import dev.stingray.common.id.NodeId;
import dev.stingray.proto.CheckAliveReply;
import dev.stingray.proto.CheckAliveRequest;
import dev.stingray.proto.NodeInfoGcsServiceGrpc;
import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The monitor against a real gRPC {@code NodeInfoGcsService} fake: connect, restart, node death, reconnect timeout. */
class GcsConnectionMonitorTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private final FakeNodeInfo fake = new FakeNodeInfo();
    private final Server server;
    private final GcsClient gcs;
    private final List<String> events = new CopyOnWriteArrayList<>();
    private final List<Duration> timeouts = new CopyOnWriteArrayList<>();
    private GcsConnectionMonitor monitor;

    GcsConnectionMonitorTest() throws IOException {
        server = NettyServerBuilder.forPort(0).addService(fake).build().start();
        gcs = new GcsClient("127.0.0.1:" + server.getPort(), Duration.ofSeconds(2));
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        if (monitor != null) {
            monitor.close();
        }
        gcs.close();
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    private GcsConnectionMonitor startMonitor(Duration reconnectTimeout) {
        monitor = new GcsConnectionMonitor(gcs, Duration.ofMillis(50), reconnectTimeout, Clock.systemUTC());
        monitor.addListener(new GcsConnectionMonitor.Listener() {
            @Override
            public void onGcsConnected(ByteString instanceId, boolean restarted) {
                events.add("connected restarted=" + restarted + " id=" + instanceId.toStringUtf8());
            }

            @Override
            public void onNodeNotAlive() {
                events.add("node not alive");
            }

            @Override
            public void onReconnectTimeout(Duration unreachableFor) {
                timeouts.add(unreachableFor);
            }
        });
        return monitor;
    }

    @Test
    void reportsTheFirstConnectionThenARestartWhenTheInstanceIdChanges() {
        fake.instanceId = ByteString.copyFromUtf8("gcs-1");
        assertThat(startMonitor(Duration.ofSeconds(60)).isReachable()).isFalse();
        monitor.start();

        await().atMost(WAIT).until(() -> !events.isEmpty());
        assertThat(events.get(0)).isEqualTo("connected restarted=false id=gcs-1");
        assertThat(monitor.isReachable()).isTrue();
        assertThat(monitor.instanceId().toStringUtf8()).isEqualTo("gcs-1");

        fake.instanceId = ByteString.copyFromUtf8("gcs-2");

        await().atMost(WAIT).until(() -> events.size() >= 2);
        assertThat(events).containsExactly("connected restarted=false id=gcs-1", "connected restarted=true id=gcs-2");
        assertThat(monitor.instanceId().toStringUtf8()).isEqualTo("gcs-2");
    }

    @Test
    void reportsTheWatchedNodeNotAliveWhenTheGcsSaysSo() {
        NodeId node = NodeId.random();
        startMonitor(Duration.ofSeconds(60)).watchNode(node);
        monitor.start();
        await().atMost(WAIT).until(() -> events.contains("connected restarted=false id=gcs-1"));
        await().atMost(WAIT).until(() -> fake.lastAsked.equals(List.of(node.bytes())));
        assertThat(events).doesNotContain("node not alive");

        fake.nodeAlive = false;

        await().atMost(WAIT).until(() -> events.contains("node not alive"));
        assertThat(monitor.isReachable()).isTrue();
    }

    @Test
    void doesNotAskAboutANodeWhenNoneIsWatched() {
        fake.nodeAlive = false;
        startMonitor(Duration.ofSeconds(60)).start();

        await().atMost(WAIT).until(() -> fake.checks >= 5);
        assertThat(fake.lastAsked).isEmpty();
        assertThat(events).containsExactly("connected restarted=false id=gcs-1");
    }

    @Test
    void reportsTheReconnectTimeoutOnceAfterTheGcsStaysDown() throws InterruptedException {
        Duration reconnectTimeout = Duration.ofMillis(300);
        startMonitor(reconnectTimeout).start();
        await().atMost(WAIT).until(monitor::isReachable);

        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);

        await().atMost(WAIT).until(() -> !monitor.isReachable());
        await().atMost(WAIT).until(() -> !timeouts.isEmpty());
        assertThat(timeouts.get(0)).isGreaterThan(reconnectTimeout);
        // Reported once per outage, not on every failed check.
        await().during(Duration.ofMillis(300)).atMost(WAIT).until(() -> timeouts.size() == 1);
    }

    /** A GCS that only answers {@code CheckAlive}, with a switchable instance id and node liveness. */
    private static final class FakeNodeInfo extends NodeInfoGcsServiceGrpc.NodeInfoGcsServiceImplBase {
        volatile ByteString instanceId = ByteString.copyFromUtf8("gcs-1");
        volatile boolean nodeAlive = true;
        volatile List<ByteString> lastAsked = List.of();
        volatile int checks;

        @Override
        public void checkAlive(CheckAliveRequest request, StreamObserver<CheckAliveReply> observer) {
            lastAsked = List.copyOf(request.getNodeIdsList());
            checks++;
            CheckAliveReply.Builder reply = CheckAliveReply.newBuilder().setRayVersion("2.9.3").setGcsInstanceId(instanceId);
            request.getNodeIdsList().forEach(id -> reply.addRayletAlive(nodeAlive));
            observer.onNext(reply.build());
            observer.onCompleted();
        }
    }

    @Test
    void aGcsThatComesUpAfterTheDaemonIsSeenAtOnceNotAfterAPeriodOrAReconnectBackOff() throws Exception {
        int port;
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        FakeNodeInfo late = new FakeNodeInfo();
        late.instanceId = ByteString.copyFromUtf8("late-gcs");
        List<String> connected = new CopyOnWriteArrayList<>();
        try (GcsClient lateClient = new GcsClient("127.0.0.1:" + port, Duration.ofSeconds(2));
                GcsConnectionMonitor slow = new GcsConnectionMonitor(lateClient, Duration.ofMinutes(5), Duration.ofMinutes(5), Clock.systemUTC())) {
            slow.addListener(new GcsConnectionMonitor.Listener() {
                @Override
                public void onGcsConnected(ByteString instanceId, boolean restarted) {
                    connected.add(instanceId.toStringUtf8());
                }
            });
            slow.start();
            // Several failed connects: the channel's own back-off is well past a second by the end of this.
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).until(() -> !slow.isReachable());
            Server gcsServer = NettyServerBuilder.forPort(port).addService(late).build().start();
            try {
                // Neither the 5 min period nor gRPC's back-off (1 s, x1.6 per failure) may be waited out.
                await().atMost(Duration.ofMillis(1500)).until(slow::isReachable);
                assertThat(connected).containsExactly("late-gcs");
            } finally {
                gcsServer.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
    }
}
