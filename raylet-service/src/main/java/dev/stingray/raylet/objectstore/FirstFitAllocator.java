package dev.stingray.raylet.objectstore;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * First-fit allocator over the object store's arena (Ray: plasma's {@code dlmalloc} arena, reduced to a
 * free list). The arena is a row of segments (one mapped file each, because a Java mapping holds at most
 * 2 GiB); an allocation never straddles two segments, and freed blocks coalesce with free neighbours
 * of the same segment. Offsets are arena-global. Sizes are rounded up to {@link #ALIGNMENT} bytes.
 *
 * <p>Not thread-safe: the {@link ObjectStore} calls it under its lock.
 */
public final class FirstFitAllocator {

    /** Ray aligns plasma allocations to 64 bytes. */
    public static final int ALIGNMENT = 64;

    private final long[] segmentStarts;
    private final long capacity;
    /** Free blocks: start offset → length, in arena order. */
    private final TreeMap<Long, Long> free = new TreeMap<>();
    private long allocated;

    /** @param segmentSizes the byte size of each segment, in arena order (each a multiple of {@link #ALIGNMENT}) */
    public FirstFitAllocator(List<Long> segmentSizes) {
        if (segmentSizes.isEmpty()) {
            throw new IllegalArgumentException("The arena needs at least one segment");
        }
        segmentStarts = new long[segmentSizes.size()];
        long start = 0;
        for (int i = 0; i < segmentSizes.size(); i++) {
            long size = segmentSizes.get(i);
            if (size <= 0 || size % ALIGNMENT != 0) {
                throw new IllegalArgumentException("Segment size must be a positive multiple of " + ALIGNMENT + ", got " + size);
            }
            segmentStarts[i] = start;
            free.put(start, size);
            start += size;
        }
        capacity = start;
    }

    /** The rounded size an allocation of {@code size} bytes takes. */
    public static long aligned(long size) {
        return (Math.max(size, 1) + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
    }

    /** The lowest-addressed free block that fits, or empty when none does. */
    public OptionalLong allocate(long size) {
        long need = aligned(size);
        for (Map.Entry<Long, Long> block : free.entrySet()) {
            if (block.getValue() >= need) {
                long offset = block.getKey();
                free.remove(offset);
                if (block.getValue() > need) {
                    free.put(offset + need, block.getValue() - need);
                }
                allocated += need;
                return OptionalLong.of(offset);
            }
        }
        return OptionalLong.empty();
    }

    /** Returns a block obtained from {@link #allocate} with the same size. */
    public void free(long offset, long size) {
        long length = aligned(size);
        if (offset < 0 || offset + length > capacity) {
            throw new IllegalArgumentException("Block [" + offset + ", " + (offset + length) + ") is outside the arena of " + capacity + " bytes");
        }
        Map.Entry<Long, Long> before = free.floorEntry(offset);
        if (before != null && before.getKey() + before.getValue() > offset) {
            throw new IllegalStateException("Block at " + offset + " is already free");
        }
        allocated -= length;
        int segment = segmentOf(offset);
        if (before != null && before.getKey() + before.getValue() == offset && segmentOf(before.getKey()) == segment) {
            offset = before.getKey();
            length += before.getValue();
            free.remove(before.getKey());
        }
        Long next = free.get(offset + length);
        if (next != null && segmentOf(offset + length) == segment) {
            free.remove(offset + length);
            length += next;
        }
        free.put(offset, length);
    }

    /** The index of the segment holding arena offset {@code offset}. */
    public int segmentOf(long offset) {
        int i = java.util.Arrays.binarySearch(segmentStarts, offset);
        return i >= 0 ? i : -i - 2;
    }

    public long segmentStart(int segment) {
        return segmentStarts[segment];
    }

    public long capacity() {
        return capacity;
    }

    public long allocated() {
        return allocated;
    }

    /** The largest allocation that could succeed right now. */
    public long largestFreeBlock() {
        return free.values().stream().mapToLong(Long::longValue).max().orElse(0);
    }

    /** The free blocks as [offset, length] pairs, for tests and stats. */
    public List<long[]> freeBlocks() {
        List<long[]> blocks = new ArrayList<>();
        free.forEach((o, l) -> blocks.add(new long[] {o, l}));
        return blocks;
    }
}
