package dev.stingray.clientproxy;

import com.google.protobuf.ByteString;
import dev.stingray.proto.AvailableResources;
import dev.stingray.proto.ChannelType;
import dev.stingray.proto.CheckAliveReply;
import dev.stingray.proto.CheckAliveRequest;
import dev.stingray.proto.Command;
import dev.stingray.proto.GcsNodeInfo;
import dev.stingray.proto.GcsSubscriberCommandBatchReply;
import dev.stingray.proto.GcsSubscriberCommandBatchRequest;
import dev.stingray.proto.GcsSubscriberPollReply;
import dev.stingray.proto.GcsSubscriberPollRequest;
import dev.stingray.proto.GetAllAvailableResourcesReply;
import dev.stingray.proto.GetAllAvailableResourcesRequest;
import dev.stingray.proto.GetAllNodeInfoReply;
import dev.stingray.proto.GetAllNodeInfoRequest;
import dev.stingray.proto.GetClusterIdReply;
import dev.stingray.proto.GetClusterIdRequest;
import dev.stingray.proto.InternalKVDelReply;
import dev.stingray.proto.InternalKVDelRequest;
import dev.stingray.proto.InternalKVExistsReply;
import dev.stingray.proto.InternalKVExistsRequest;
import dev.stingray.proto.InternalKVGcsServiceGrpc;
import dev.stingray.proto.InternalKVGetReply;
import dev.stingray.proto.InternalKVGetRequest;
import dev.stingray.proto.InternalKVKeysReply;
import dev.stingray.proto.InternalKVKeysRequest;
import dev.stingray.proto.InternalKVPutReply;
import dev.stingray.proto.InternalKVPutRequest;
import dev.stingray.proto.InternalPubSubGcsServiceGrpc;
import dev.stingray.proto.LogBatch;
import dev.stingray.proto.NodeInfoGcsServiceGrpc;
import dev.stingray.proto.NodeResourceInfoGcsServiceGrpc;
import dev.stingray.proto.PubMessage;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A hand-written GCS for tests: a real gRPC server on a free port serving the internal KV (a real map
 * with Ray's semantics), the node table, the available-resources view and long-poll pub/sub. It can be
 * stopped and started again on the same port, keeping its state, to play an unreachable GCS.
 */
final class TestingGcsServer implements AutoCloseable {

    private static final String NAMESPACE_PREFIX = "@namespace_";

    private final SortedMap<ByteString, ByteString> kv = new TreeMap<>(ByteString.unsignedLexicographicalComparator());
    private final List<GcsNodeInfo> nodes = new ArrayList<>();
    private final List<AvailableResources> available = new ArrayList<>();
    private final ByteString publisherId = ByteString.copyFromUtf8(UUID.randomUUID().toString());
    private final Map<ByteString, Mailbox> subscribers = new HashMap<>();
    private final Map<ByteString, dev.stingray.proto.JobTableData> jobs = new java.util.LinkedHashMap<>();
    private final List<dev.stingray.proto.NamedActorInfo> namedActors = new ArrayList<>();
    private int nextJobId = 1;
    private long nextSequenceId = 1;
    private int logSubscriptions;
    private Server server;
    private int port;

    /** One subscriber's channels, undelivered messages and parked long poll. */
    private static final class Mailbox {
        final Set<ChannelType> channels = EnumSet.noneOf(ChannelType.class);
        final ArrayDeque<PubMessage> pending = new ArrayDeque<>();
        StreamObserver<GcsSubscriberPollReply> parkedPoll;
    }

    static TestingGcsServer started() {
        TestingGcsServer gcs = new TestingGcsServer();
        gcs.start();
        return gcs;
    }

    /** Starts serving: on a free port the first time, on the same port after {@link #stop()}. */
    synchronized void start() {
        try {
            server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port))
                    .addService(new Kv())
                    .addService(new NodeInfo())
                    .addService(new Resources())
                    .addService(new PubSub())
                    .addService(new Jobs())
                    .addService(new Actors())
                    .build()
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start the testing GCS on port " + port, e);
        }
        port = server.getPort();
    }

    /** Stops serving and drops open calls; the state stays for a later {@link #start()}. */
    void stop() throws InterruptedException {
        Server s;
        synchronized (this) {
            s = server;
            server = null;
        }
        s.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    synchronized int port() {
        return port;
    }

    String address() {
        return "127.0.0.1:" + port();
    }

    /** The job table as the client server recorded it. */
    synchronized List<dev.stingray.proto.JobTableData> jobs() {
        return List.copyOf(jobs.values());
    }

    /** A live named actor for {@code ListNamedActors}. */
    synchronized void addNamedActor(String namespace, String name) {
        namedActors.add(dev.stingray.proto.NamedActorInfo.newBuilder().setRayNamespace(namespace).setName(name).build());
    }

    /** {@code ListNamedActors} over the named actors added by the test, as the real GCS filters them. */
    private final class Actors extends dev.stingray.proto.ActorInfoGcsServiceGrpc.ActorInfoGcsServiceImplBase {
        @Override
        public void listNamedActors(dev.stingray.proto.ListNamedActorsRequest request,
                StreamObserver<dev.stingray.proto.ListNamedActorsReply> observer) {
            synchronized (TestingGcsServer.this) {
                observer.onNext(dev.stingray.proto.ListNamedActorsReply.newBuilder().addAllNamedActorsList(namedActors.stream()
                        .filter(a -> request.getAllNamespaces() || a.getRayNamespace().equals(request.getRayNamespace())).toList()).build());
            }
            observer.onCompleted();
        }
    }

    synchronized void addNode(GcsNodeInfo node) {
        nodes.add(node);
    }

    synchronized void addAvailable(AvailableResources resources) {
        available.add(resources);
    }

    synchronized void put(String namespace, String key, String value) {
        kv.put(storedKey(ByteString.copyFromUtf8(namespace), ByteString.copyFromUtf8(key)), ByteString.copyFromUtf8(value));
    }

    /** How many subscribe commands for the log channel arrived so far. */
    synchronized int logSubscriptions() {
        return logSubscriptions;
    }

    /** How many long polls of log subscribers are open right now. */
    synchronized long openLogPolls() {
        return subscribers.values().stream()
                .filter(m -> m.parkedPoll != null && m.channels.contains(ChannelType.RAY_LOG_CHANNEL)).count();
    }

    /** Publishes a batch on RAY_LOG_CHANNEL to every current subscriber of it, as the log monitor does. */
    synchronized void publishLog(LogBatch batch) {
        PubMessage message = PubMessage.newBuilder()
                .setChannelType(ChannelType.RAY_LOG_CHANNEL)
                .setKeyId(ByteString.copyFromUtf8(batch.getJobId()))
                .setSequenceId(nextSequenceId++)
                .setLogBatchMessage(batch)
                .build();
        for (Mailbox mailbox : subscribers.values()) {
            if (mailbox.channels.contains(ChannelType.RAY_LOG_CHANNEL)) {
                mailbox.pending.add(message);
                answerParkedPoll(mailbox);
            }
        }
    }

    private void answerParkedPoll(Mailbox mailbox) {
        if (mailbox.parkedPoll == null || mailbox.pending.isEmpty()) {
            return;
        }
        StreamObserver<GcsSubscriberPollReply> poll = mailbox.parkedPoll;
        mailbox.parkedPoll = null;
        try {
            poll.onNext(GcsSubscriberPollReply.newBuilder().addAllPubMessages(mailbox.pending).setPublisherId(publisherId).build());
            poll.onCompleted();
        } catch (RuntimeException e) {
            // The poll was cancelled meanwhile; the messages stay for the next poll.
        }
    }

    // Ray's gcs_kv_manager.cc: "@namespace_<ns>:<key>", raw key in the empty namespace.
    private static ByteString storedKey(ByteString namespace, ByteString key) {
        if (key.startsWith(ByteString.copyFromUtf8(NAMESPACE_PREFIX))) {
            throw Status.INVALID_ARGUMENT.withDescription("Key can't start with " + NAMESPACE_PREFIX).asRuntimeException();
        }
        if (namespace.isEmpty()) {
            return key;
        }
        return ByteString.copyFromUtf8(NAMESPACE_PREFIX).concat(namespace).concat(ByteString.copyFromUtf8(":")).concat(key);
    }

    private static ByteString namespacePrefix(ByteString namespace) {
        return namespace.isEmpty() ? ByteString.EMPTY
                : ByteString.copyFromUtf8(NAMESPACE_PREFIX).concat(namespace).concat(ByteString.copyFromUtf8(":"));
    }

    private synchronized List<ByteString> storedKeysWithPrefix(ByteString namespace, ByteString prefix) {
        ByteString full = namespacePrefix(namespace).concat(prefix);
        return kv.keySet().stream()
                .filter(k -> k.startsWith(full))
                // In the empty namespace, namespaced keys are not the caller's.
                .filter(k -> !namespace.isEmpty() || !k.startsWith(ByteString.copyFromUtf8(NAMESPACE_PREFIX)))
                .toList();
    }

    private static <T> void answer(StreamObserver<T> observer, java.util.function.Supplier<T> reply) {
        T value;
        try {
            value = reply.get();
        } catch (RuntimeException e) {
            observer.onError(e);
            return;
        }
        observer.onNext(value);
        observer.onCompleted();
    }

    private final class Kv extends InternalKVGcsServiceGrpc.InternalKVGcsServiceImplBase {
        @Override
        public void internalKVGet(InternalKVGetRequest request, StreamObserver<InternalKVGetReply> observer) {
            answer(observer, () -> {
                synchronized (TestingGcsServer.this) {
                    ByteString value = kv.get(storedKey(request.getNamespace(), request.getKey()));
                    if (value == null) {
                        throw Status.NOT_FOUND.withDescription("Key " + request.getKey().toStringUtf8() + " not found")
                                .asRuntimeException();
                    }
                    return InternalKVGetReply.newBuilder().setValue(value).build();
                }
            });
        }

        @Override
        public void internalKVPut(InternalKVPutRequest request, StreamObserver<InternalKVPutReply> observer) {
            answer(observer, () -> {
                synchronized (TestingGcsServer.this) {
                    ByteString key = storedKey(request.getNamespace(), request.getKey());
                    boolean added = !kv.containsKey(key);
                    if (added || request.getOverwrite()) {
                        kv.put(key, request.getValue());
                    }
                    return InternalKVPutReply.newBuilder().setAdded(added).build();
                }
            });
        }

        @Override
        public void internalKVDel(InternalKVDelRequest request, StreamObserver<InternalKVDelReply> observer) {
            answer(observer, () -> {
                synchronized (TestingGcsServer.this) {
                    List<ByteString> doomed = request.getDelByPrefix()
                            ? storedKeysWithPrefix(request.getNamespace(), request.getKey())
                            : List.of(storedKey(request.getNamespace(), request.getKey()));
                    int deleted = 0;
                    for (ByteString key : doomed) {
                        if (kv.remove(key) != null) {
                            deleted++;
                        }
                    }
                    return InternalKVDelReply.newBuilder().setDeletedNum(deleted).build();
                }
            });
        }

        @Override
        public void internalKVExists(InternalKVExistsRequest request, StreamObserver<InternalKVExistsReply> observer) {
            answer(observer, () -> {
                synchronized (TestingGcsServer.this) {
                    return InternalKVExistsReply.newBuilder()
                            .setExists(kv.containsKey(storedKey(request.getNamespace(), request.getKey()))).build();
                }
            });
        }

        @Override
        public void internalKVKeys(InternalKVKeysRequest request, StreamObserver<InternalKVKeysReply> observer) {
            answer(observer, () -> {
                int strip = namespacePrefix(request.getNamespace()).size();
                InternalKVKeysReply.Builder reply = InternalKVKeysReply.newBuilder();
                storedKeysWithPrefix(request.getNamespace(), request.getPrefix())
                        .forEach(k -> reply.addResults(k.substring(strip)));
                return reply.build();
            });
        }
    }

    private final class NodeInfo extends NodeInfoGcsServiceGrpc.NodeInfoGcsServiceImplBase {
        @Override
        public void getClusterId(GetClusterIdRequest request, StreamObserver<GetClusterIdReply> observer) {
            answer(observer, () -> GetClusterIdReply.newBuilder().setClusterId(publisherId).build());
        }

        @Override
        public void getAllNodeInfo(GetAllNodeInfoRequest request, StreamObserver<GetAllNodeInfoReply> observer) {
            answer(observer, () -> {
                synchronized (TestingGcsServer.this) {
                    return GetAllNodeInfoReply.newBuilder().addAllNodeInfoList(nodes).setTotal(nodes.size()).build();
                }
            });
        }

        @Override
        public void checkAlive(CheckAliveRequest request, StreamObserver<CheckAliveReply> observer) {
            answer(observer, () -> {
                synchronized (TestingGcsServer.this) {
                    CheckAliveReply.Builder reply = CheckAliveReply.newBuilder().setGcsInstanceId(publisherId);
                    for (ByteString id : request.getNodeIdsList()) {
                        reply.addRayletAlive(nodes.stream().anyMatch(
                                n -> n.getNodeId().equals(id) && n.getState() == GcsNodeInfo.GcsNodeState.ALIVE));
                    }
                    return reply.build();
                }
            });
        }
    }

    private final class Resources extends NodeResourceInfoGcsServiceGrpc.NodeResourceInfoGcsServiceImplBase {
        @Override
        public void getAllAvailableResources(GetAllAvailableResourcesRequest request,
                StreamObserver<GetAllAvailableResourcesReply> observer) {
            answer(observer, () -> {
                synchronized (TestingGcsServer.this) {
                    return GetAllAvailableResourcesReply.newBuilder().addAllResourcesList(available).build();
                }
            });
        }
    }

    private final class PubSub extends InternalPubSubGcsServiceGrpc.InternalPubSubGcsServiceImplBase {
        @Override
        public void gcsSubscriberCommandBatch(GcsSubscriberCommandBatchRequest request,
                StreamObserver<GcsSubscriberCommandBatchReply> observer) {
            synchronized (TestingGcsServer.this) {
                Mailbox mailbox = subscribers.computeIfAbsent(request.getSubscriberId(), id -> new Mailbox());
                for (Command command : request.getCommandsList()) {
                    if (command.hasSubscribeMessage()) {
                        mailbox.channels.add(command.getChannelType());
                        if (command.getChannelType() == ChannelType.RAY_LOG_CHANNEL) {
                            logSubscriptions++;
                        }
                    } else if (command.hasUnsubscribeMessage()) {
                        mailbox.channels.remove(command.getChannelType());
                    }
                }
            }
            observer.onNext(GcsSubscriberCommandBatchReply.getDefaultInstance());
            observer.onCompleted();
        }

        /** Long poll: answers at once when messages wait, otherwise parks until one is published. */
        @Override
        public void gcsSubscriberPoll(GcsSubscriberPollRequest request, StreamObserver<GcsSubscriberPollReply> observer) {
            ServerCallStreamObserver<GcsSubscriberPollReply> poll = (ServerCallStreamObserver<GcsSubscriberPollReply>) observer;
            synchronized (TestingGcsServer.this) {
                Mailbox mailbox = subscribers.computeIfAbsent(request.getSubscriberId(), id -> new Mailbox());
                if (request.getPublisherId().equals(publisherId)) {
                    mailbox.pending.removeIf(m -> m.getSequenceId() <= request.getMaxProcessedSequenceId());
                }
                if (mailbox.parkedPoll != null) {
                    StreamObserver<GcsSubscriberPollReply> previous = mailbox.parkedPoll;
                    mailbox.parkedPoll = null;
                    try {
                        previous.onNext(GcsSubscriberPollReply.newBuilder().setPublisherId(publisherId).build());
                        previous.onCompleted();
                    } catch (RuntimeException e) {
                        // already cancelled
                    }
                }
                poll.setOnCancelHandler(() -> {
                    synchronized (TestingGcsServer.this) {
                        if (mailbox.parkedPoll == poll) {
                            mailbox.parkedPoll = null;
                        }
                    }
                });
                mailbox.parkedPoll = poll;
                answerParkedPoll(mailbox);
            }
        }
    }

    /** The job table: ids from a counter, finished jobs marked dead. */
    private final class Jobs extends dev.stingray.proto.JobInfoGcsServiceGrpc.JobInfoGcsServiceImplBase {
        @Override
        public void getNextJobID(dev.stingray.proto.GetNextJobIDRequest request,
                StreamObserver<dev.stingray.proto.GetNextJobIDReply> observer) {
            answer(observer, () -> {
                synchronized (TestingGcsServer.this) {
                    return dev.stingray.proto.GetNextJobIDReply.newBuilder().setJobId(nextJobId++).build();
                }
            });
        }

        @Override
        public void addJob(dev.stingray.proto.AddJobRequest request, StreamObserver<dev.stingray.proto.AddJobReply> observer) {
            answer(observer, () -> {
                synchronized (TestingGcsServer.this) {
                    jobs.put(request.getData().getJobId(), request.getData());
                }
                return dev.stingray.proto.AddJobReply.getDefaultInstance();
            });
        }

        @Override
        public void markJobFinished(dev.stingray.proto.MarkJobFinishedRequest request,
                StreamObserver<dev.stingray.proto.MarkJobFinishedReply> observer) {
            answer(observer, () -> {
                synchronized (TestingGcsServer.this) {
                    jobs.computeIfPresent(request.getJobId(), (id, job) -> job.toBuilder().setIsDead(true).build());
                }
                return dev.stingray.proto.MarkJobFinishedReply.getDefaultInstance();
            });
        }

        @Override
        public void getAllJobInfo(dev.stingray.proto.GetAllJobInfoRequest request,
                StreamObserver<dev.stingray.proto.GetAllJobInfoReply> observer) {
            answer(observer, () -> dev.stingray.proto.GetAllJobInfoReply.newBuilder().addAllJobInfoList(jobs()).build());
        }
    }

    @Override
    public void close() throws InterruptedException {
        Server s;
        synchronized (this) {
            s = server;
        }
        if (s != null) {
            stop();
        }
    }
}
