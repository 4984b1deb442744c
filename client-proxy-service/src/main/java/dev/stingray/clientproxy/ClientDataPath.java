package dev.stingray.clientproxy;

import dev.stingray.proto.client.ClientPlacementGroupReply;
import dev.stingray.proto.client.ClientPlacementGroupRequest;
import dev.stingray.runtime.StingrayRuntime;
import dev.stingray.runtime.actor.ActorHandleImpl;
import io.ray.api.ActorHandle;
import io.ray.api.id.PlacementGroupId;
import io.ray.api.options.ActorCreationOptions;
import io.ray.api.options.CallOptions;
import io.ray.api.options.PlacementGroupCreationOptions;
import io.ray.api.placementgroup.PlacementGroup;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.stingray.common.error.StingrayException;
import dev.stingray.common.rpc.GrpcReplies;
import dev.stingray.proto.RayObject;
import dev.stingray.proto.client.ClientArg;
import dev.stingray.proto.client.ClientTask;
import dev.stingray.proto.client.ClientTaskTicket;
import dev.stingray.proto.client.GetRequest;
import dev.stingray.proto.client.GetResponse;
import dev.stingray.proto.client.HeartbeatRequest;
import dev.stingray.proto.client.HeartbeatResponse;
import dev.stingray.proto.client.InitRequest;
import dev.stingray.proto.client.InitResponse;
import dev.stingray.proto.client.PutRequest;
import dev.stingray.proto.client.PutResponse;
import dev.stingray.proto.client.ReleaseRequest;
import dev.stingray.proto.client.ReleaseResponse;
import dev.stingray.proto.client.TerminateRequest;
import dev.stingray.proto.client.TerminateResponse;
import dev.stingray.proto.client.WaitRequest;
import dev.stingray.proto.client.WaitResponse;
import dev.stingray.runtime.client.ClientChunks;
import dev.stingray.runtime.object.ObjectRefImpl;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The data path of Ray Client mode behind {@link RayletDriverGrpcService} (Ray:
 * {@code python/ray/util/client/server/server.py} GetObject/PutObject/WaitObject/Schedule/Terminate and
 * {@code dataservicer.py}): every call names its session by the {@code client_id} metadata. Objects
 * move in {@link ClientChunks}; values stay serialized.
 *
 * <p>A client's mistake (unknown object, bad chunk sequence, corrupt value) is answered with
 * {@code valid=false} and an error naming the value, or INVALID_ARGUMENT; the server keeps serving.
 */
final class ClientDataPath {

    private static final Logger log = LoggerFactory.getLogger(ClientDataPath.class);

    private final ClientSessions sessions;

    ClientDataPath(ClientSessions sessions) {
        this.sessions = sessions;
    }

    private static String clientId() {
        return ClientIdInterceptor.CLIENT_ID.get();
    }

    void init(InitRequest request, StreamObserver<InitResponse> observer) {
        GrpcReplies.reply(observer, () -> {
            String version = dev.stingray.common.version.StingrayVersion.current();
            java.util.Optional<String> mismatch = dev.stingray.common.version.StingrayVersion.mismatch(request.getClientVersion(), version,
                    "this Ray Client server");
            if (mismatch.isPresent()) {
                return InitResponse.newBuilder().setOk(false).setMsg(mismatch.get()).setServerVersion(version).build();
            }
            ClientSession session;
            try {
                session = sessions.init(clientId(), ClientIdInterceptor.RECONNECTING.get(), request);
            } catch (StingrayException | IllegalArgumentException e) {
                throw e;
            } catch (RuntimeException e) {
                log.warn("Cannot start a session for client {}: {}", clientId(), e.toString());
                return InitResponse.newBuilder().setOk(false).setMsg("Cannot start the client's driver: " + e.getMessage()).build();
            }
            return InitResponse.newBuilder().setOk(true).setJobId(session.worker().jobId().bytes()).setNamespace(session.namespace())
                    .setNodeId(session.worker().nodeId().bytes()).setServerVersion(dev.stingray.common.version.StingrayVersion.current()).build();
        });
    }

    StreamObserver<PutRequest> put(StreamObserver<PutResponse> observer) {
        String clientId = clientId();
        return new StreamObserver<>() {
            private final List<ByteString> chunks = new ArrayList<>();
            private String error;
            private int totalChunks = -1;
            private long totalSize;

            @Override
            public void onNext(PutRequest chunk) {
                if (error != null) {
                    return;
                }
                if (chunk.getChunkId() != chunks.size() || (totalChunks >= 0 && chunk.getTotalChunks() != totalChunks)
                        || chunk.getTotalChunks() < 1) {
                    error = "Put chunk " + chunk.getChunkId() + " of " + chunk.getTotalChunks() + " arrived after " + chunks.size()
                            + " chunks; expected chunk " + chunks.size() + (totalChunks >= 0 ? " of " + totalChunks : "");
                    return;
                }
                totalChunks = chunk.getTotalChunks();
                totalSize = chunk.getTotalSize();
                chunks.add(chunk.getData());
            }

            @Override
            public void onError(Throwable t) {
                log.debug("Put of client {} aborted: {}", clientId, t.toString());
            }

            @Override
            public void onCompleted() {
                PutResponse.Builder reply = PutResponse.newBuilder();
                try {
                    ClientSession session = sessions.require(clientId);
                    if (error == null && chunks.size() != totalChunks) {
                        error = "Put ended after " + chunks.size() + " of " + totalChunks + " chunks";
                    }
                    ByteString data = ByteString.copyFrom(chunks);
                    if (error == null && data.size() != totalSize) {
                        error = "Put sent " + data.size() + " bytes but announced total_size " + totalSize;
                    }
                    if (error != null) {
                        observer.onNext(reply.setValid(false).setError(error).build());
                    } else {
                        ObjectRefImpl<?> ref = session.put(parseSharingData(data));
                        observer.onNext(reply.setValid(true).setId(ref.id()).setOwner(ref.owner()).build());
                    }
                    observer.onCompleted();
                } catch (InvalidProtocolBufferException e) {
                    observer.onNext(reply.setValid(false).setError("Put data is not a serialized RayObject: " + e.getMessage()).build());
                    observer.onCompleted();
                } catch (RuntimeException e) {
                    observer.onError(GrpcReplies.toStatus(e));
                }
            }
        };
    }

    void get(GetRequest request, StreamObserver<GetResponse> observer) {
        ChunkSender sender = new ChunkSender(observer);
        ClientSession session;
        java.util.concurrent.CompletableFuture<List<RayObject>> objects;
        try {
            session = sessions.require(clientId());
            objects = session.get(request.getIdsList());
        } catch (IllegalArgumentException e) {
            observer.onNext(GetResponse.newBuilder().setValid(false).setError(e.getMessage()).build());
            observer.onCompleted();
            return;
        } catch (RuntimeException e) {
            observer.onError(GrpcReplies.toStatus(e));
            return;
        }
        ClientSession.within(objects, request.getTimeoutMs()).whenComplete((values, failure) -> {
            try {
                sender.send(failure != null ? List.of(failedGet(request, failure)) : chunked(values));
            } catch (RuntimeException e) {
                sender.send(List.of(GetResponse.newBuilder().setValid(false).setError("Cannot send the objects: " + e).build()));
            }
        });
    }

    private static GetResponse failedGet(GetRequest request, Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        GetResponse.Builder reply = GetResponse.newBuilder().setValid(false);
        if (cause instanceof TimeoutException) {
            return reply.setTimedOut(true).setError("not ready within " + request.getTimeoutMs() + " ms").build();
        }
        return reply.setError(cause.toString()).build();
    }

    /** The values as one ClientObjects message in {@link ClientChunks}. */
    private static List<GetResponse> chunked(List<RayObject> values) {
        ByteString data = serializeSharingData(values);
        List<ByteString> parts = ClientChunks.split(data);
        List<GetResponse> chunks = new ArrayList<>(parts.size());
        for (int i = 0; i < parts.size(); i++) {
            chunks.add(GetResponse.newBuilder().setValid(true).setChunkId(i).setTotalChunks(parts.size()).setTotalSize(data.size())
                    .setData(parts.get(i)).build());
        }
        return chunks;
    }

    /**
     * Sends a get's chunks as the transport accepts them (gRPC flow control), so a large object is not
     * buffered a second time in the channel. Created when the call starts: gRPC accepts an on-ready
     * handler only then, while the chunks may come much later (a get waiting for a task).
     */
    private static final class ChunkSender implements Runnable {
        private final ServerCallStreamObserver<GetResponse> server;
        private java.util.Iterator<GetResponse> next;
        private boolean done;

        ChunkSender(StreamObserver<GetResponse> observer) {
            this.server = (ServerCallStreamObserver<GetResponse>) observer;
            server.setOnReadyHandler(this);
        }

        synchronized void send(List<GetResponse> responses) {
            next = responses.iterator();
            run();
        }

        @Override
        public synchronized void run() {
            if (next == null) {
                return;
            }
            try {
                while (!done && !server.isCancelled() && server.isReady() && next.hasNext()) {
                    server.onNext(next.next());
                }
                if (!done && !next.hasNext() && !server.isCancelled()) {
                    done = true;
                    server.onCompleted();
                }
            } catch (RuntimeException e) {
                done = true;
                log.debug("Could not answer a get: {}", e.toString());
            }
        }
    }

    /**
     * {@code ClientObjects} bytes whose RayObject data fields share the stored values' bytes instead of
     * copying them (protobuf allows a message's fields in any order: data first, then the rest).
     */
    static ByteString serializeSharingData(List<RayObject> objects) {
        ByteString out = ByteString.EMPTY;
        for (RayObject object : objects) {
            ByteString encoded = fieldHeader(1, object.getData().size()).concat(object.getData())
                    .concat(object.toBuilder().clearData().build().toByteString());
            out = out.concat(fieldHeader(1, encoded.size())).concat(encoded);
        }
        return out;
    }

    /**
     * Parses a RayObject whose data field comes first (as every serializer writes it) without copying
     * the data: it stays a view of the received chunks. Other layouts are parsed normally.
     */
    static RayObject parseSharingData(ByteString bytes) throws InvalidProtocolBufferException {
        try {
            com.google.protobuf.CodedInputStream in = bytes.newCodedInput();
            int tag = in.readTag();
            // Field 1 (data), length-delimited: (1 << 3) | 2.
            if (tag != ((1 << 3) | com.google.protobuf.WireFormat.WIRETYPE_LENGTH_DELIMITED)) {
                return RayObject.parseFrom(bytes);
            }
            int length = in.readRawVarint32();
            int start = in.getTotalBytesRead();
            if (length < 0 || (long) start + length > bytes.size()) {
                throw new InvalidProtocolBufferException("RayObject data length " + length + " exceeds the " + bytes.size() + " bytes sent");
            }
            RayObject rest = RayObject.parseFrom(bytes.substring(start + length));
            return rest.toBuilder().setData(bytes.substring(start, start + length)).build();
        } catch (InvalidProtocolBufferException e) {
            throw e;
        } catch (java.io.IOException e) {
            throw new InvalidProtocolBufferException(e);
        }
    }

    private static ByteString fieldHeader(int field, int length) {
        byte[] header = new byte[10];
        com.google.protobuf.CodedOutputStream out = com.google.protobuf.CodedOutputStream.newInstance(header);
        try {
            out.writeTag(field, com.google.protobuf.WireFormat.WIRETYPE_LENGTH_DELIMITED);
            out.writeUInt32NoTag(length);
            return ByteString.copyFrom(header, 0, out.getTotalBytesWritten());
        } catch (java.io.IOException e) {
            throw new IllegalStateException("Cannot encode a protobuf field header", e);
        }
    }

    void waitFor(WaitRequest request, StreamObserver<WaitResponse> observer) {
        GrpcReplies.reply(observer, () -> {
            ClientSession session = sessions.require(clientId());
            try {
                List<List<ByteString>> result = session.waitFor(request.getObjectIdsList(), request.getNumReturns(), request.getTimeoutMs());
                return WaitResponse.newBuilder().setValid(true).addAllReadyObjectIds(result.get(0))
                        .addAllRemainingObjectIds(result.get(1)).build();
            } catch (IllegalArgumentException e) {
                return WaitResponse.newBuilder().setValid(false).setError(e.getMessage()).build();
            }
        });
    }

    /**
     * A task of the session's driver, by type: FUNCTION (a normal task), ACTOR (creates an actor; the ticket carries
     * its handle), METHOD (a call of the handle's actor), NAMED_ACTOR (looks a handle up). Options arrive as the
     * client's runtime serialized them; a bad request (an unknown name, a taken actor name, a bad bundle index) is
     * answered {@code valid=false} with {@code invalid_argument}, as the cluster's runtime throws IllegalArgumentException.
     */
    void schedule(ClientTask task, StreamObserver<ClientTaskTicket> observer) {
        GrpcReplies.reply(observer, () -> {
            ClientSession session = sessions.require(clientId());
            try {
                return ClientSession.outsideTheCall(() -> switch (task.getType()) {
                    case FUNCTION -> returned(session.submit(task.getFunction(), args(session, task), callOptions(session, task), task.getRuntimeEnv()));
                    case METHOD -> returned(session.callActor(actor(session, task.getActor()), task.getFunction(), args(session, task),
                            callOptions(session, task)));
                    case ACTOR -> {
                        ActorCreationOptions options = task.getSerializedOptions().isEmpty() ? null
                                : options(session, task.getSerializedOptions(), ActorCreationOptions.class);
                        ActorHandle<?> actor = session.runtime().createActor(task.getFunction(), args(session, task).toArray(), options,
                                task.getRuntimeEnv());
                        yield ClientTaskTicket.newBuilder().setValid(true).setActor(session.serialize(actor)).build();
                    }
                    case NAMED_ACTOR -> session.runtime().getActor(task.getName(), task.getNamespace().isEmpty() ? null : task.getNamespace())
                            .map(actor -> ClientTaskTicket.newBuilder().setValid(true).setActor(session.serialize(actor)).build())
                            .orElseGet(() -> ClientTaskTicket.newBuilder().setValid(false).setError("No actor named '" + task.getName()
                                    + "' in namespace " + (task.getNamespace().isEmpty() ? session.namespace() : task.getNamespace())).build());
                    default -> throw new IllegalArgumentException("Task type " + task.getType() + " is not supported by Stingray's Ray Client server"
                            + " (Java has no static actor methods to call remotely)");
                });
            } catch (IllegalArgumentException e) {
                return ClientTaskTicket.newBuilder().setValid(false).setInvalidArgument(true).setError(e.getMessage()).build();
            } catch (UnsupportedOperationException e) {
                return ClientTaskTicket.newBuilder().setValid(false).setError(e.getMessage()).build();
            }
        });
    }

    private static ClientTaskTicket returned(ObjectRefImpl<?> ref) {
        return ClientTaskTicket.newBuilder().setValid(true).addReturnIds(ref.id()).setOwner(ref.owner()).build();
    }

    private static List<Object> args(ClientSession session, ClientTask task) {
        List<Object> args = new ArrayList<>(task.getArgsCount());
        for (ClientArg arg : task.getArgsList()) {
            switch (arg.getArgCase()) {
                case REFERENCE_ID -> args.add(session.argRef(arg.getReferenceId()));
                case INLINE_VALUE -> {
                    try {
                        args.add(ClientSession.argValue(RayObject.parseFrom(arg.getInlineValue())));
                    } catch (InvalidProtocolBufferException e) {
                        throw new IllegalArgumentException("Task argument " + args.size() + " is not a serialized RayObject: " + e.getMessage());
                    }
                }
                default -> throw new IllegalArgumentException("Task argument " + args.size() + " has neither a value nor a reference id");
            }
        }
        return args;
    }

    /** The task's CallOptions: serialized by the client, or built from the legacy resources and name. */
    private static CallOptions callOptions(ClientSession session, ClientTask task) {
        if (!task.getSerializedOptions().isEmpty()) {
            return options(session, task.getSerializedOptions(), CallOptions.class);
        }
        CallOptions.Builder builder = new CallOptions.Builder().setResources(task.getOptions().getResourcesMap());
        if (!task.getOptions().getName().isEmpty()) {
            builder.setName(task.getOptions().getName());
        }
        return builder.build();
    }

    private static <T> T options(ClientSession session, ByteString bytes, Class<T> type) {
        Object value = session.deserialize(bytes);
        if (!type.isInstance(value)) {
            throw new IllegalArgumentException("The task's options are a " + (value == null ? "null" : value.getClass().getName())
                    + ", not " + type.getName());
        }
        return type.cast(value);
    }

    private static ActorHandle<?> actor(ClientSession session, ByteString bytes) {
        if (!(session.deserialize(bytes) instanceof ActorHandle<?> handle)) {
            throw new IllegalArgumentException("A METHOD task needs the actor's handle in 'actor'");
        }
        return handle;
    }

    /** Ends the session, or with {@code actor} kills that actor (Ray's ActorTerminate). */
    void terminate(TerminateRequest request, StreamObserver<TerminateResponse> observer) {
        GrpcReplies.reply(observer, () -> {
            if (request.hasActor()) {
                ClientSession session = sessions.require(clientId());
                return ClientSession.outsideTheCall(() -> {
                    session.runtime().killActor(new ActorHandleImpl<>(request.getActor().getId(), 0), request.getActor().getNoRestart());
                    return TerminateResponse.newBuilder().setOk(true).build();
                });
            }
            return TerminateResponse.newBuilder().setOk(sessions.terminate(clientId())).build();
        });
    }

    /** Placement groups of the session's job, as an in-cluster driver's {@code PlacementGroups} calls; bad requests are INVALID_ARGUMENT. */
    void placementGroup(ClientPlacementGroupRequest request, StreamObserver<ClientPlacementGroupReply> observer) {
        GrpcReplies.reply(observer, () -> {
            ClientSession session = sessions.require(clientId());
            StingrayRuntime runtime = session.runtime();
            ClientPlacementGroupReply.Builder reply = ClientPlacementGroupReply.newBuilder();
            List<PlacementGroup> groups = ClientSession.outsideTheCall(() -> switch (request.getOpCase()) {
                case CREATE -> List.of(runtime.createPlacementGroup(options(session, request.getCreate(), PlacementGroupCreationOptions.class)));
                case GET -> nullable(runtime.getPlacementGroup(PlacementGroupId.fromBytes(request.getGet().toByteArray())));
                case GET_NAMED -> nullable(runtime.getPlacementGroup(request.getGetNamed().getName(),
                        request.getGetNamed().getNamespace().isEmpty() ? null : request.getGetNamed().getNamespace()));
                case GET_ALL -> runtime.getAllPlacementGroups();
                case REMOVE -> {
                    runtime.removePlacementGroup(PlacementGroupId.fromBytes(request.getRemove().toByteArray()));
                    yield List.of();
                }
                case WAIT -> {
                    reply.setReady(runtime.waitPlacementGroupReady(PlacementGroupId.fromBytes(request.getWait().getId().toByteArray()),
                            request.getWait().getTimeoutSeconds()));
                    yield List.of();
                }
                default -> throw new IllegalArgumentException("The placement-group request names no operation");
            });
            groups.forEach(g -> reply.addGroups(session.serialize(g)));
            return reply.build();
        });
    }

    private static List<PlacementGroup> nullable(PlacementGroup group) {
        return group == null ? List.of() : List.of(group);
    }

    void release(ReleaseRequest request, StreamObserver<ReleaseResponse> observer) {
        GrpcReplies.reply(observer, () -> ReleaseResponse.newBuilder()
                .setReleased(sessions.require(clientId()).release(request.getIdsList(), request.getFree())).build());
    }

    StreamObserver<HeartbeatRequest> heartbeat(StreamObserver<HeartbeatResponse> observer) {
        ClientSession session;
        try {
            session = sessions.require(clientId());
        } catch (RuntimeException e) {
            observer.onError(GrpcReplies.toStatus(e));
            return new StreamObserver<>() {
                @Override
                public void onNext(HeartbeatRequest value) {
                }

                @Override
                public void onError(Throwable t) {
                }

                @Override
                public void onCompleted() {
                }
            };
        }
        sessions.connected(session);
        java.util.concurrent.atomic.AtomicBoolean ended = new java.util.concurrent.atomic.AtomicBoolean();
        Runnable end = () -> {
            if (ended.compareAndSet(false, true)) {
                sessions.disconnected(session);
            }
        };
        ((ServerCallStreamObserver<HeartbeatResponse>) observer).setOnCancelHandler(end);
        return new StreamObserver<>() {
            @Override
            public void onNext(HeartbeatRequest value) {
            }

            @Override
            public void onError(Throwable t) {
                end.run();
            }

            @Override
            public void onCompleted() {
                end.run();
                try {
                    observer.onCompleted();
                } catch (RuntimeException e) {
                    // Already cancelled.
                }
            }
        };
    }
}
