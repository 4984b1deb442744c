package dev.stingray.raylet.objectstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store's policy on a real (small) memory-mapped arena: eviction, spilling above 80 %, restore, free. */
class ObjectStoreTest {

    private static final int KB = 1024;

    @TempDir
    Path dir;
    private ObjectStore store;

    @BeforeEach
    void open() {
        store = new ObjectStore(new SharedMemoryArena(dir.resolve("shm"), "test", 64 * KB, 64 * KB, false), dir.resolve("spill"), 0.8);
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void unpinnedSecondaryCopiesAreEvictedLeastRecentlyUsedFirst() throws IOException {
        byte[] a = put("a", 20 * KB, false);
        put("b", 20 * KB, false);
        put("c", 20 * KB, false);
        // Reading a makes b the least recently used copy.
        assertThat(read("a")).isEqualTo(a);

        byte[] d = put("d", 20 * KB, true);

        assertThat(store.state(id("b"))).isNull();
        assertThat(store.state(id("a"))).isEqualTo(ObjectStore.State.SEALED);
        assertThat(store.stats().numEvicted()).isEqualTo(1);
        assertThat(read("d")).isEqualTo(d);
    }

    @Test
    void pinnedPrimariesAreSpilledAbove80PercentAndRestoredOnRead() throws IOException {
        byte[] a = put("a", 20 * KB, true);
        byte[] b = put("b", 20 * KB, true);
        assertThat(store.stats().numSpilled()).isZero();
        byte[] c = put("c", 20 * KB, true);

        // 60 of 64 KiB > 80 %: the least recently used primary went to disk.
        assertThat(store.state(id("a"))).isEqualTo(ObjectStore.State.SPILLED);
        Path spillFile = store.spillFileOf(id("a"));
        assertThat(Files.readAllBytes(spillFile)).isEqualTo(a);
        assertThat(store.stats().usedBytes()).isEqualTo(40 * KB);

        // Reading it restores it in place of the least recently used one (b), transparently.
        assertThat(read("a")).isEqualTo(a);
        assertThat(store.stats().restoredBytesTotal()).isEqualTo(20 * KB);
        assertThat(read("b")).isEqualTo(b);
        assertThat(read("c")).isEqualTo(c);

        store.free(List.of(id("a"), id("b"), id("c")));
        assertThat(spillFile).doesNotExist();
        assertThat(store.stats().usedBytes()).isZero();
        assertThat(store.stats().numObjects()).isZero();
    }

    @Test
    void objectsBeingReadAreNeitherSpilledNorEvictedAndAFullStoreSaysWhy() throws IOException {
        put("a", 30 * KB, true);
        put("b", 30 * KB, false);
        store.getForRead(id("a"));
        store.getForRead(id("b"));
        assertThatThrownBy(() -> store.create(id("c"), 10 * KB, ByteString.EMPTY, true))
                .isInstanceOf(ObjectStoreFullException.class).hasMessageContaining("10240 bytes requested");
        store.release(id("b"));
        store.create(id("c"), 10 * KB, ByteString.EMPTY, true);
        assertThat(store.state(id("b"))).isNull();
    }

    @Test
    void aFreedObjectBeingReadGoesWhenItsReaderIsDone() throws IOException {
        put("a", 10 * KB, true);
        store.getForRead(id("a"));
        store.free(List.of(id("a")));
        assertThat(store.getForRead(id("a"))).isEmpty();
        assertThat(store.stats().usedBytes()).isEqualTo(10 * KB);
        store.release(id("a"));
        assertThat(store.stats().usedBytes()).isZero();
    }

    @Test
    void badRequestsAreRejectedNamingTheValue() {
        assertThatThrownBy(() -> store.create(id("big"), 65 * KB, ByteString.EMPTY, true))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("66560 bytes").hasMessageContaining("--object-store-memory");
        assertThatThrownBy(() -> store.create(id("neg"), -1, ByteString.EMPTY, true)).hasMessageContaining("-1");
    }

    @Test
    void arenaFilesOfDeadRaylets() throws IOException {
        Path shm = Files.createDirectories(dir.resolve("stale"));
        long dead = ProcessHandle.current().pid() + 1_000_000;
        Path stale = Files.createFile(shm.resolve("stingray-plasma-ab12-p" + dead + "-0"));
        Path alive = Files.createFile(shm.resolve("stingray-plasma-cd34-p" + ProcessHandle.current().pid() + "-0"));
        Path other = Files.createFile(shm.resolve("unrelated-p" + dead + "-0"));
        SharedMemoryArena.deleteStale(shm, "stingray-plasma-");
        assertThat(stale).doesNotExist();
        assertThat(alive).exists();
        assertThat(other).exists();
    }

    private byte[] put(String name, int size, boolean primary) {
        byte[] data = new byte[size];
        new Random(name.hashCode()).nextBytes(data);
        assertThat(store.create(id(name), size, ByteString.copyFromUtf8("RAW"), primary)).isPresent();
        store.writableView(id(name)).put(data);
        store.seal(id(name));
        return data;
    }

    /** Reads like a local client: maps the region's file read-only. */
    private byte[] read(String name) throws IOException {
        ObjectStore.Region region = store.getForRead(id(name)).orElseThrow();
        try (FileChannel ch = FileChannel.open(region.path(), StandardOpenOption.READ)) {
            ByteBuffer buffer = ch.map(FileChannel.MapMode.READ_ONLY, region.offset(), region.size());
            byte[] bytes = new byte[(int) region.size()];
            buffer.get(bytes);
            return bytes;
        } finally {
            store.release(id(name));
        }
    }

    private static ByteString id(String name) {
        return ByteString.copyFromUtf8(name);
    }
}
