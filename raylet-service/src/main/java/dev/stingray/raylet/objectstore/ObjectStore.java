package dev.stingray.raylet.objectstore;

import com.google.protobuf.ByteString;
import dev.stingray.common.error.ErrorCode;
import dev.stingray.common.error.StingrayException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The per-node object store (Ray: plasma {@code ObjectLifecycleManager} + {@code LocalObjectManager}'s
 * spilling): immutable objects created into the {@link SharedMemoryArena}, sealed, then read by local
 * clients in place.
 * <ul>
 * <li><b>Primary</b> copies (created here for their owner) are pinned until freed; when the store's
 * usage passes {@code spillThreshold} (Ray: {@code object_spilling_threshold} = 0.8) after a seal, or when
 * space is needed, the least recently used ones are spilled to {@code <spillDir>/<objectId>} and their
 * memory is reused; they are restored transparently on the next read. A restored copy keeps its spill
 * file, so dropping it from memory again costs no write.</li>
 * <li><b>Secondary</b> copies (pulled from another node) are unpinned: evicted, least recently used
 * first, when space is needed.</li>
 * <li>An object being created or read (between {@link #getForRead} and {@link #release}) is never moved.</li>
 * <li>{@link #free} deletes the copy and its spill file (deferred until its readers are done).</li>
 * </ul>
 *
 * <p>Thread-safe: every operation runs under the store's lock; clients copy bytes outside it.
 */
public final class ObjectStore implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ObjectStore.class);

    /** Arena files are {@code stingray-plasma-<nodeId>-p<pid>-<segment>}. */
    static final String ARENA_PREFIX = "stingray-plasma-";

    /** Ray's {@code object_spilling_threshold}. */
    public static final double DEFAULT_SPILL_THRESHOLD = 0.8;

    /** Where an object's bytes are. */
    public enum State { CREATED, SEALED, SPILLED }

    /** An object's bytes in one segment file of the arena, as handed to local clients. */
    public record Region(Path path, long offset, long size) {
    }

    /** An object's bytes for a node-to-node transfer: a buffer in the arena, or its spill file. */
    public record TransferSource(long size, ByteString metadata, ByteBuffer memory, Path spillFile) {
    }

    private static final class Entry {
        final ByteString id;
        final long size;
        final ByteString metadata;
        final boolean primary;
        final Set<String> pullers = new HashSet<>();
        State state = State.CREATED;
        long offset = -1;
        Path spillFile;
        int readers;
        long lastUse;
        boolean freed;

        Entry(ByteString id, long size, ByteString metadata, boolean primary) {
            this.id = id;
            this.size = size;
            this.metadata = metadata;
            this.primary = primary;
        }

        boolean inMemory() {
            return offset >= 0;
        }
    }

    private final SharedMemoryArena arena;
    private final FirstFitAllocator allocator;
    private final Path spillDir;
    private final double spillThreshold;
    private final Map<ByteString, Entry> entries = new HashMap<>();
    private long clock;
    private long spilledBytesTotal;
    private long restoredBytesTotal;
    private long evictedTotal;

    public ObjectStore(SharedMemoryArena arena, Path spillDir, double spillThreshold) {
        if (!(spillThreshold > 0 && spillThreshold <= 1)) {
            throw new IllegalArgumentException("The spilling threshold must be in (0, 1], got " + spillThreshold);
        }
        this.arena = arena;
        this.allocator = new FirstFitAllocator(arena.segmentSizes());
        this.spillDir = spillDir;
        this.spillThreshold = spillThreshold;
    }

    /**
     * Opens a node's store: the arena in {@code configuredDir} if set, else in {@code /dev/shm} when it has
     * room for {@code capacity} bytes, else in {@code <sessionDir>/object_store}; spill files in
     * {@code <sessionDir>/spill}.
     */
    public static ObjectStore open(String configuredDir, Path sessionDir, String nodeHex, long capacity, boolean prefault,
            double spillThreshold) {
        Path dir;
        if (!configuredDir.isBlank()) {
            dir = Path.of(configuredDir);
        } else {
            dir = sessionDir.resolve("object_store");
            Path shm = Path.of("/dev/shm");
            try {
                if (Files.isDirectory(shm) && Files.isWritable(shm) && Files.getFileStore(shm).getUsableSpace() >= capacity) {
                    dir = shm;
                } else {
                    log.warn("/dev/shm cannot hold an object store of {} bytes; using {} (slower, disk-backed)", capacity, dir);
                }
            } catch (IOException e) {
                log.warn("Cannot inspect /dev/shm ({}); using {}", e.getMessage(), dir);
            }
        }
        // The pid in the name lets a later raylet delete the files of one that was killed (SIGKILL skips close()).
        SharedMemoryArena.deleteStale(dir, ARENA_PREFIX);
        SharedMemoryArena arena = new SharedMemoryArena(dir, ARENA_PREFIX + nodeHex + "-p" + ProcessHandle.current().pid(), capacity,
                SharedMemoryArena.MAX_SEGMENT_BYTES, prefault);
        log.info("Object store: {} bytes in {} ({} segment(s)), spilling to {} above {}%", capacity, dir, arena.segmentSizes().size(),
                sessionDir.resolve("spill"), Math.round(spillThreshold * 100));
        return new ObjectStore(arena, sessionDir.resolve("spill"), spillThreshold);
    }

    /**
     * Reserves memory for a new object and returns where to write it; empty when the object was already
     * created and sealed (a retried put). A primary copy stays pinned until {@link #free}.
     */
    public synchronized java.util.Optional<Region> create(ByteString id, long size, ByteString metadata, boolean primary) {
        if (id.isEmpty()) {
            throw new IllegalArgumentException("object_id must not be empty");
        }
        if (size < 0) {
            throw new IllegalArgumentException("data_size must not be negative, got " + size + " for object " + hex(id));
        }
        long largestSegment = arena.segmentSizes().stream().mapToLong(Long::longValue).max().orElse(0);
        if (FirstFitAllocator.aligned(size) > largestSegment) {
            throw new IllegalArgumentException("Object " + hex(id) + " of " + size + " bytes does not fit in the object store (capacity "
                    + allocator.capacity() + " bytes, at most " + largestSegment + " bytes per object); raise --object-store-memory");
        }
        Entry existing = entries.get(id);
        if (existing != null) {
            if (existing.state == State.CREATED) {
                throw new StingrayException(ErrorCode.ALREADY_EXISTS, "Object " + hex(id) + " is being created");
            }
            return java.util.Optional.empty();
        }
        Entry e = new Entry(id, size, metadata, primary);
        e.offset = allocate(size);
        e.lastUse = ++clock;
        entries.put(id, e);
        return java.util.Optional.of(region(e));
    }

    /** Makes a created object immutable and readable; then spills primaries if usage passed the threshold. */
    public synchronized void seal(ByteString id) {
        Entry e = require(id);
        if (e.state != State.CREATED) {
            return;
        }
        e.state = State.SEALED;
        e.lastUse = ++clock;
        spillAboveThreshold();
    }

    /** Drops an object that was never sealed (a failed write or transfer). */
    public synchronized void abort(ByteString id) {
        Entry e = entries.get(id);
        if (e != null && e.state == State.CREATED) {
            entries.remove(id);
            allocator.free(e.offset, e.size);
        }
    }

    public synchronized boolean contains(ByteString id) {
        Entry e = entries.get(id);
        return e != null && e.state != State.CREATED;
    }

    /**
     * The region of a sealed object for a local reader, restoring it from spill first if needed; the
     * object cannot move until {@link #release}. Empty when this node has no copy.
     */
    public synchronized java.util.Optional<Region> getForRead(ByteString id) {
        Entry e = entries.get(id);
        if (e == null || e.freed) {
            return java.util.Optional.empty();
        }
        if (e.state == State.CREATED) {
            throw new StingrayException(ErrorCode.FAILED_PRECONDITION, "Object " + hex(id) + " is not sealed yet");
        }
        if (e.state == State.SPILLED) {
            restore(e);
        }
        e.readers++;
        e.lastUse = ++clock;
        return java.util.Optional.of(region(e));
    }

    /** Ends one read started by {@link #getForRead} or {@link #openForTransfer}. */
    public synchronized void release(ByteString id) {
        Entry e = entries.get(id);
        if (e == null || e.readers == 0) {
            return;
        }
        e.readers--;
        if (e.readers == 0 && e.freed) {
            delete(e);
        }
    }

    /** The bytes of a sealed object for a transfer to another node; {@link #release} afterwards. */
    public synchronized java.util.Optional<TransferSource> openForTransfer(ByteString id, String requester) {
        Entry e = entries.get(id);
        if (e == null || e.freed || e.state == State.CREATED) {
            return java.util.Optional.empty();
        }
        if (requester != null && !requester.isEmpty()) {
            e.pullers.add(requester);
        }
        e.readers++;
        e.lastUse = ++clock;
        ByteBuffer memory = e.inMemory() ? view(e) : null;
        return java.util.Optional.of(new TransferSource(e.size, e.metadata, memory, memory == null ? e.spillFile : null));
    }

    /** A writable view of an object being created (for transfers into this store). */
    public synchronized ByteBuffer writableView(ByteString id) {
        Entry e = require(id);
        if (e.state != State.CREATED) {
            throw new StingrayException(ErrorCode.FAILED_PRECONDITION, "Object " + hex(id) + " is sealed and immutable");
        }
        return view(e);
    }

    /** Frees objects: memory and spill files go now, or when their last reader releases. Returns the raylets that pulled them. */
    public synchronized Set<String> free(List<ByteString> ids) {
        Set<String> pullers = new HashSet<>();
        for (ByteString id : ids) {
            Entry e = entries.get(id);
            if (e == null || e.freed) {
                continue;
            }
            pullers.addAll(e.pullers);
            e.freed = true;
            if (e.readers == 0) {
                delete(e);
            }
        }
        return pullers;
    }

    /** Counters for GetObjectStoreStats and tests. */
    public record Stats(long capacity, long usedBytes, int numObjects, int numSpilled, long spilledBytesTotal, long restoredBytesTotal,
            long numEvicted) {
    }

    public synchronized Stats stats() {
        int spilled = (int) entries.values().stream().filter(e -> e.state == State.SPILLED).count();
        return new Stats(allocator.capacity(), allocator.allocated(), entries.size(), spilled, spilledBytesTotal, restoredBytesTotal,
                evictedTotal);
    }

    public synchronized State state(ByteString id) {
        Entry e = entries.get(id);
        return e == null ? null : e.state;
    }

    public Path spillDir() {
        return spillDir;
    }

    public Path arenaDir() {
        return arena.dir();
    }

    /** The spill file an object would use. */
    public Path spillFileOf(ByteString id) {
        return spillDir.resolve(hex(id));
    }

    @Override
    public synchronized void close() {
        for (Entry e : entries.values()) {
            deleteSpillFile(e);
        }
        entries.clear();
        arena.close();
    }

    // ------------------------------------------------------------------ internals

    private long allocate(long size) {
        while (true) {
            OptionalLong offset = allocator.allocate(size);
            if (offset.isPresent()) {
                return offset.getAsLong();
            }
            // Ray: evict unpinned secondary copies first, then spill pinned primaries (LRU order both).
            Entry victim = entries.values().stream()
                    .filter(e -> e.inMemory() && e.state == State.SEALED && e.readers == 0 && (!e.primary || e.spillFile != null))
                    .min(Comparator.comparingLong(e -> e.lastUse)).orElse(null);
            if (victim != null) {
                if (victim.primary) {
                    spill(victim);
                } else {
                    evictedTotal++;
                    delete(victim);
                }
                continue;
            }
            Entry spillable = entries.values().stream()
                    .filter(e -> e.inMemory() && e.state == State.SEALED && e.readers == 0 && e.primary)
                    .min(Comparator.comparingLong(e -> e.lastUse)).orElse(null);
            if (spillable == null) {
                throw new ObjectStoreFullException("The object store is full: " + size + " bytes requested, " + allocator.allocated()
                        + " of " + allocator.capacity() + " bytes in use by objects being created or read (largest free block "
                        + allocator.largestFreeBlock() + " bytes)");
            }
            spill(spillable);
        }
    }

    private void spillAboveThreshold() {
        while (allocator.allocated() > spillThreshold * allocator.capacity()) {
            Entry spillable = entries.values().stream()
                    .filter(e -> e.inMemory() && e.state == State.SEALED && e.readers == 0 && e.primary)
                    .min(Comparator.comparingLong(e -> e.lastUse)).orElse(null);
            if (spillable == null) {
                return;
            }
            spill(spillable);
        }
    }

    /** Writes a primary copy to its spill file (unless a file from an earlier spill remains) and frees its memory. */
    private void spill(Entry e) {
        if (e.spillFile == null) {
            Path file = spillFileOf(e.id);
            try {
                Files.createDirectories(spillDir);
                try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                        StandardOpenOption.WRITE)) {
                    ByteBuffer data = view(e);
                    while (data.hasRemaining()) {
                        ch.write(data);
                    }
                }
            } catch (IOException ex) {
                throw new UncheckedIOException("Cannot spill object " + hex(e.id) + " to " + file + ": " + ex.getMessage(), ex);
            }
            e.spillFile = file;
            spilledBytesTotal += e.size;
            log.debug("Spilled object {} ({} bytes) to {}", hex(e.id), e.size, file);
        }
        allocator.free(e.offset, e.size);
        e.offset = -1;
        e.state = State.SPILLED;
    }

    private void restore(Entry e) {
        long offset = allocate(e.size);
        e.offset = offset;
        try (FileChannel ch = FileChannel.open(e.spillFile, StandardOpenOption.READ)) {
            ByteBuffer target = view(e);
            while (target.hasRemaining()) {
                if (ch.read(target) < 0) {
                    throw new IOException("spill file is shorter than the object's " + e.size + " bytes");
                }
            }
        } catch (IOException ex) {
            allocator.free(offset, e.size);
            e.offset = -1;
            throw new UncheckedIOException("Cannot restore object " + hex(e.id) + " from " + e.spillFile + ": " + ex.getMessage(), ex);
        }
        e.state = State.SEALED;
        restoredBytesTotal += e.size;
    }

    private void delete(Entry e) {
        entries.remove(e.id);
        if (e.inMemory()) {
            allocator.free(e.offset, e.size);
            e.offset = -1;
        }
        deleteSpillFile(e);
    }

    private static void deleteSpillFile(Entry e) {
        if (e.spillFile != null) {
            try {
                Files.deleteIfExists(e.spillFile);
            } catch (IOException ex) {
                log.warn("Cannot delete spill file {}: {}", e.spillFile, ex.getMessage());
            }
            e.spillFile = null;
        }
    }

    private Entry require(ByteString id) {
        Entry e = entries.get(id);
        if (e == null) {
            throw new StingrayException(ErrorCode.NOT_FOUND, "Object " + hex(id) + " is not in this node's object store");
        }
        return e;
    }

    private ByteBuffer view(Entry e) {
        int segment = allocator.segmentOf(e.offset);
        return arena.view(segment, e.offset - allocator.segmentStart(segment), e.size);
    }

    private Region region(Entry e) {
        int segment = allocator.segmentOf(e.offset);
        return new Region(arena.file(segment), e.offset - allocator.segmentStart(segment), e.size);
    }

    static String hex(ByteString id) {
        return HexFormat.of().formatHex(id.toByteArray());
    }
}
