package dev.stingray.raylet.objectstore;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The object store's memory (Ray: plasma's mmap'ed arena in {@code /dev/shm}): {@code capacity} bytes
 * split over segment files {@code <prefix>-<i>} of at most {@link #MAX_SEGMENT_BYTES} (one Java mapping
 * holds at most 2 GiB), created once at start-up and reused for every object, so pages touched once stay
 * touched (a fresh {@code /dev/shm} mapping fills at ≈0.8 GB/s, a touched one at ≈6 GB/s here). Local
 * clients map the same files and read and write object bytes without going through the raylet.
 * {@code prefault} touches every page at start-up (costs that much RAM in {@code /dev/shm} at once).
 *
 * <p>Thread-safe for disjoint regions: every access works on its own buffer view.
 */
public final class SharedMemoryArena implements AutoCloseable {

    /** The largest segment: 1 GiB, well inside a MappedByteBuffer's 2 GiB limit. */
    public static final long MAX_SEGMENT_BYTES = 1L << 30;

    private final Path dir;
    private final List<Path> files = new ArrayList<>();
    private final List<MappedByteBuffer> mappings = new ArrayList<>();
    private final List<Long> segmentSizes = new ArrayList<>();

    public SharedMemoryArena(Path dir, String prefix, long capacity, long maxSegmentBytes, boolean prefault) {
        if (capacity < FirstFitAllocator.ALIGNMENT) {
            throw new IllegalArgumentException("The object store needs at least " + FirstFitAllocator.ALIGNMENT
                    + " bytes of object_store_memory, got " + capacity);
        }
        if (maxSegmentBytes <= 0 || maxSegmentBytes > MAX_SEGMENT_BYTES || maxSegmentBytes % FirstFitAllocator.ALIGNMENT != 0) {
            throw new IllegalArgumentException("Segment size must be a multiple of " + FirstFitAllocator.ALIGNMENT + " up to "
                    + MAX_SEGMENT_BYTES + " bytes (a Java mapping is limited to 2 GiB), got " + maxSegmentBytes);
        }
        this.dir = dir;
        long left = capacity / FirstFitAllocator.ALIGNMENT * FirstFitAllocator.ALIGNMENT;
        try {
            Files.createDirectories(dir);
            for (int i = 0; left > 0; i++) {
                long size = Math.min(left, maxSegmentBytes);
                Path file = dir.resolve(prefix + "-" + i);
                try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw"); FileChannel ch = raf.getChannel()) {
                    raf.setLength(size);
                    MappedByteBuffer map = ch.map(FileChannel.MapMode.READ_WRITE, 0, size);
                    if (prefault) {
                        for (int p = 0; p < size; p += 4096) {
                            map.put(p, (byte) 0);
                        }
                    }
                    mappings.add(map);
                }
                files.add(file);
                segmentSizes.add(size);
                left -= size;
            }
        } catch (IOException e) {
            close();
            throw new UncheckedIOException("Cannot create the object store arena of " + capacity + " bytes in " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * Deletes arena files {@code <prefix>*-p<pid>-<segment>} in {@code dir} whose process is gone (a raylet
     * killed with SIGKILL cannot delete its own), so their shared memory returns to the system.
     */
    public static void deleteStale(Path dir, String prefix) {
        java.util.regex.Pattern name = java.util.regex.Pattern.compile(java.util.regex.Pattern.quote(prefix) + ".*-p(\\d+)-\\d+");
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (var files = Files.list(dir)) {
            files.forEach(f -> {
                java.util.regex.Matcher m = name.matcher(f.getFileName().toString());
                if (m.matches() && !ProcessHandle.of(Long.parseLong(m.group(1))).map(ProcessHandle::isAlive).orElse(false)) {
                    try {
                        Files.deleteIfExists(f);
                    } catch (IOException e) {
                        // Another raylet may own it after all, or it just went: leave it.
                    }
                }
            });
        } catch (IOException e) {
            // Cleanup is best effort.
        }
    }

    public Path dir() {
        return dir;
    }

    public List<Long> segmentSizes() {
        return List.copyOf(segmentSizes);
    }

    public Path file(int segment) {
        return files.get(segment);
    }

    /** A view of {@code length} bytes at {@code offset} of one segment. */
    public ByteBuffer view(int segment, long offset, long length) {
        return mappings.get(segment).slice(Math.toIntExact(offset), Math.toIntExact(length));
    }

    /** Deletes the segment files; mappings go away with the last reference (the JDK has no explicit unmap). */
    @Override
    public void close() {
        for (Path f : files) {
            try {
                Files.deleteIfExists(f);
            } catch (IOException e) {
                // Best effort: a stale file in /dev/shm is reclaimed on reboot.
            }
        }
        mappings.clear();
    }
}
