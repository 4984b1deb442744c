package dev.stingray.gcs.health;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.protobuf.ByteString;
import dev.stingray.common.id.NodeId;
import dev.stingray.common.rpc.GrpcChannels;
import dev.stingray.proto.GcsNodeInfo;
import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Probes every alive raylet with {@code grpc.health.v1.Health/Check}, service = node id hex (Ray:
 * {@code gcs_health_check_manager.cc}). After the initial delay a probe runs every period (the next one
 * is scheduled when the previous answered); each failed, timed-out or non-SERVING answer uses up one
 * of {@code failureThreshold} chances, a success or any resource report ({@link #markHealthy}) restores
 * them. When none are left the node is reported dead once.
 *
 * <p>Timing is passed in so tests shrink it. Probes and callbacks run on the given scheduler.
 */
public final class GcsHealthCheckManager {

    private static final Logger log = LoggerFactory.getLogger(GcsHealthCheckManager.class);

    private final ScheduledExecutorService scheduler;
    private final Duration initialDelay;
    private final Duration period;
    private final Duration timeout;
    private final int failureThreshold;
    private final BiConsumer<NodeId, String> onNodeDead;
    private final Map<ByteString, Context> contexts = new ConcurrentHashMap<>();

    private final class Context {
        final NodeId nodeId;
        final String address;
        final ManagedChannel channel;
        volatile int chancesLeft = failureThreshold;
        volatile boolean stopped;

        Context(NodeId nodeId, String address) {
            this.nodeId = nodeId;
            this.address = address;
            this.channel = GrpcChannels.forAddress(address);
        }

        void schedule(Duration delay) {
            if (!stopped) {
                scheduler.schedule(this::probe, delay.toMillis(), TimeUnit.MILLISECONDS);
            }
        }

        void probe() {
            if (stopped) {
                return;
            }
            var future = HealthGrpc.newFutureStub(channel)
                    .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
                    .check(HealthCheckRequest.newBuilder().setService(nodeId.hex()).build());
            Futures.addCallback(future, new FutureCallback<>() {
                @Override
                public void onSuccess(HealthCheckResponse response) {
                    if (response.getStatus() == HealthCheckResponse.ServingStatus.SERVING) {
                        chancesLeft = failureThreshold;
                        schedule(period);
                    } else {
                        failed("status " + response.getStatus());
                    }
                }

                @Override
                public void onFailure(Throwable t) {
                    failed(t.getMessage());
                }
            }, scheduler);
        }

        void failed(String why) {
            if (stopped) {
                return;
            }
            chancesLeft--;
            log.debug("Health check of node {} failed ({}); {} chances left", nodeId.hex(), why, chancesLeft);
            if (chancesLeft <= 0) {
                log.warn("Node {} at {} failed {} health checks in a row; marking it dead", nodeId.hex(), address, failureThreshold);
                remove(nodeId.bytes());
                onNodeDead.accept(nodeId, address);
                return;
            }
            schedule(period);
        }

        void stop() {
            stopped = true;
            GrpcChannels.close(channel);
        }
    }

    public GcsHealthCheckManager(ScheduledExecutorService scheduler, Duration initialDelay, Duration period, Duration timeout,
            int failureThreshold, BiConsumer<NodeId, String> onNodeDead) {
        this.scheduler = scheduler;
        this.initialDelay = initialDelay;
        this.period = period;
        this.timeout = timeout;
        this.failureThreshold = failureThreshold;
        this.onNodeDead = onNodeDead;
    }

    /** Starts probing a node (Ray: {@code AddNode}); calling it again for the same node is a no-op. */
    public void addNode(GcsNodeInfo node) {
        NodeId id = NodeId.fromBytes(node.getNodeId());
        String address = node.getNodeManagerAddress() + ":" + node.getNodeManagerPort();
        contexts.computeIfAbsent(id.bytes(), k -> {
            Context c = new Context(id, address);
            c.schedule(initialDelay);
            return c;
        });
    }

    public void remove(ByteString nodeId) {
        Context c = contexts.remove(nodeId);
        if (c != null) {
            c.stop();
        }
    }

    /** Any sign of life from the node (a resource report) counts as a passed check (Ray: {@code MarkNodeHealthy}). */
    public void markHealthy(ByteString nodeId) {
        Context c = contexts.get(nodeId);
        if (c != null) {
            c.chancesLeft = failureThreshold;
        }
    }

    public void stop() {
        contexts.keySet().forEach(this::remove);
    }
}
