package dev.stingray.raylet.objectstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import dev.stingray.common.rpc.GrpcChannels;
import dev.stingray.proto.CreateObjectReply;
import dev.stingray.proto.CreateObjectRequest;
import dev.stingray.proto.FreeObjectsRequest;
import dev.stingray.proto.GetObjectLocationReply;
import dev.stingray.proto.GetObjectLocationRequest;
import dev.stingray.proto.GetObjectStoreStatsRequest;
import dev.stingray.proto.ObjectLocation;
import dev.stingray.proto.ObjectManagerServiceGrpc;
import dev.stingray.proto.ReleaseObjectRequest;
import dev.stingray.proto.SealObjectRequest;
import dev.stingray.proto.SharedMemoryRegion;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two raylets' object stores over real gRPC ports: clients create, write (in the mapped file), seal,
 * read and free objects; more data than the store holds is spilled and restored; a node pulls an
 * object from the other in 5 MiB chunks, and a free on the primary's node removes the pulled copy.
 */
class ObjectManagerGrpcServiceTest {

    private static final int MB = 1024 * 1024;

    @TempDir
    Path dir;
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private Node a;
    private Node b;

    record Node(ObjectStore store, String address, ObjectManagerServiceGrpc.ObjectManagerServiceBlockingStub stub) {
    }

    @BeforeEach
    void start() throws IOException {
        a = node("a");
        b = node("b");
    }

    private Node node(String name) throws IOException {
        ObjectStore store = new ObjectStore(new SharedMemoryArena(dir.resolve(name + "-shm"), "plasma", 16 * MB, 16 * MB, false),
                dir.resolve(name + "-spill"), 0.8);
        AtomicReference<String> self = new AtomicReference<>();
        ObjectManager manager = new ObjectManager(store, self::get);
        Server server = NettyServerBuilder.forPort(0).maxInboundMessageSize(GrpcChannels.MAX_MESSAGE_BYTES)
                .addService(new ObjectManagerGrpcService(manager)).build().start();
        self.set("127.0.0.1:" + server.getPort());
        ManagedChannel channel = GrpcChannels.forAddress(self.get());
        toClose.add(() -> GrpcChannels.close(channel));
        toClose.add(server::shutdownNow);
        toClose.add(manager);
        toClose.add(store);
        return new Node(store, self.get(), ObjectManagerServiceGrpc.newBlockingStub(channel));
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    @Test
    void moreDataThanTheStoreHoldsIsSpilledReadBackAndDeletedOnFree() throws IOException {
        // 3 × 7 MiB into a 16 MiB store.
        List<byte[]> values = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            values.add(put(a, "obj" + i, 7 * MB));
        }
        assertThat(spillFiles(a)).isNotEmpty();
        var stats = a.stub().getObjectStoreStats(GetObjectStoreStatsRequest.getDefaultInstance());
        assertThat(stats.getNumObjects()).isEqualTo(3);
        assertThat(stats.getUsedBytes()).isLessThanOrEqualTo(16 * MB);

        for (int i = 0; i < 3; i++) {
            assertThat(get(a, "obj" + i, null)).as("obj" + i).isEqualTo(values.get(i));
        }
        assertThat(a.stub().getObjectStoreStats(GetObjectStoreStatsRequest.getDefaultInstance()).getRestoredBytesTotal()).isPositive();

        a.stub().freeObjects(FreeObjectsRequest.newBuilder().addObjectIds(id("obj0")).addObjectIds(id("obj1")).addObjectIds(id("obj2")).build());
        assertThat(spillFiles(a)).isEmpty();
        assertThat(a.stub().getObjectStoreStats(GetObjectStoreStatsRequest.getDefaultInstance()).getUsedBytes()).isZero();
        assertThatThrownBy(() -> get(a, "obj0", null)).isInstanceOf(StatusRuntimeException.class)
                .satisfies(e -> assertThat(((StatusRuntimeException) e).getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
    }

    @Test
    void aNodePullsAnObjectInChunksAndLosesItsCopyWhenThePrimaryIsFreed() throws IOException {
        byte[] value = put(a, "big", 12 * MB + 3);
        ObjectLocation location = ObjectLocation.newBuilder().setRayletAddress(a.address()).setDataSize(value.length).build();

        assertThat(get(b, "big", location)).isEqualTo(value);
        assertThat(b.store().contains(id("big"))).isTrue();

        a.stub().freeObjects(FreeObjectsRequest.newBuilder().addObjectIds(id("big")).build());
        await().atMost(Duration.ofSeconds(10)).until(() -> !b.store().contains(id("big")));
    }

    @Test
    void aSpilledObjectIsPulledFromItsSpillFile() throws IOException {
        byte[] first = put(a, "first", 7 * MB);
        put(a, "second", 7 * MB);
        assertThat(a.store().state(id("first"))).isEqualTo(ObjectStore.State.SPILLED);
        ObjectLocation location = ObjectLocation.newBuilder().setRayletAddress(a.address()).build();
        assertThat(get(b, "first", location)).isEqualTo(first);
        assertThat(a.store().state(id("first"))).isEqualTo(ObjectStore.State.SPILLED);
    }

    private byte[] put(Node node, String name, int size) throws IOException {
        byte[] data = new byte[size];
        new Random(name.hashCode()).nextBytes(data);
        CreateObjectReply created = node.stub().createObject(CreateObjectRequest.newBuilder().setObjectId(id(name)).setDataSize(size)
                .setMetadata(ByteString.copyFromUtf8("RAW")).build());
        map(created.getRegion(), true).put(data);
        node.stub().sealObject(SealObjectRequest.newBuilder().setObjectId(id(name)).build());
        return data;
    }

    private byte[] get(Node node, String name, ObjectLocation from) throws IOException {
        GetObjectLocationRequest.Builder request = GetObjectLocationRequest.newBuilder().setObjectId(id(name));
        if (from != null) {
            request.setPullFrom(from);
        }
        GetObjectLocationReply reply = node.stub().getObjectLocation(request.build());
        try {
            ByteBuffer buffer = map(reply.getRegion(), false);
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            return bytes;
        } finally {
            node.stub().releaseObject(ReleaseObjectRequest.newBuilder().setObjectId(id(name)).build());
        }
    }

    private static ByteBuffer map(SharedMemoryRegion region, boolean writable) throws IOException {
        try (FileChannel ch = writable ? FileChannel.open(Path.of(region.getPath()), StandardOpenOption.READ, StandardOpenOption.WRITE)
                : FileChannel.open(Path.of(region.getPath()), StandardOpenOption.READ)) {
            return ch.map(writable ? FileChannel.MapMode.READ_WRITE : FileChannel.MapMode.READ_ONLY, region.getOffset(), region.getSize());
        }
    }

    private static List<Path> spillFiles(Node node) throws IOException {
        if (!Files.isDirectory(node.store().spillDir())) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(node.store().spillDir())) {
            return files.toList();
        }
    }

    private static ByteString id(String name) {
        return ByteString.copyFromUtf8(name);
    }
}
