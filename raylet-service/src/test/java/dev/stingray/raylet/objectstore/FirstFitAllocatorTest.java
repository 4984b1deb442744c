package dev.stingray.raylet.objectstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class FirstFitAllocatorTest {

    @Test
    void aFreedHoleIsReusedByTheFirstRequestThatFits() {
        FirstFitAllocator a = new FirstFitAllocator(List.of(4096L));
        long first = a.allocate(100).getAsLong();
        long second = a.allocate(200).getAsLong();
        long third = a.allocate(100).getAsLong();
        assertThat(List.of(first, second, third)).containsExactly(0L, 128L, 384L);

        a.free(second, 200);
        // 150 bytes (192 aligned) fit in the 256-byte hole left by the second block: first fit, not the end.
        assertThat(a.allocate(150).getAsLong()).isEqualTo(128L);
        // The 64 bytes left of that hole are too small for 128: the next block goes after the third.
        assertThat(a.allocate(100).getAsLong()).isEqualTo(512L);
        assertThat(a.allocated()).isEqualTo(128 + 192 + 128 + 128);
    }

    @Test
    void freedNeighboursCoalesceSoALargeBlockFitsAgain() {
        FirstFitAllocator a = new FirstFitAllocator(List.of(1024L));
        long[] blocks = new long[4];
        for (int i = 0; i < 4; i++) {
            blocks[i] = a.allocate(256).getAsLong();
        }
        assertThat(a.allocate(64)).isEmpty();
        a.free(blocks[1], 256);
        a.free(blocks[3], 256);
        // Fragmented: 512 bytes free but no 512-byte block.
        assertThat(a.allocate(512)).isEmpty();
        a.free(blocks[2], 256);
        assertThat(a.freeBlocks()).hasSize(1);
        assertThat(a.allocate(768).getAsLong()).isEqualTo(256L);
    }

    @Test
    void anAllocationNeverStraddlesTwoSegments() {
        FirstFitAllocator a = new FirstFitAllocator(List.of(1024L, 1024L));
        assertThat(a.allocate(768).getAsLong()).isZero();
        // 256 bytes remain in segment 0, but 512 must come from segment 1.
        assertThat(a.allocate(512).getAsLong()).isEqualTo(1024L);
        assertThat(a.segmentOf(1024 + 512)).isEqualTo(1);
        a.free(0, 768);
        a.free(1024, 512);
        // Free blocks of adjacent segments stay separate.
        assertThat(a.freeBlocks()).hasSize(2);
        assertThat(a.allocate(2048)).isEmpty();
    }

    @Test
    void badBlocksAreRejectedWithTheirValues() {
        FirstFitAllocator a = new FirstFitAllocator(List.of(1024L));
        long block = a.allocate(64).getAsLong();
        a.free(block, 64);
        assertThatThrownBy(() -> a.free(block, 64)).isInstanceOf(IllegalStateException.class).hasMessageContaining("already free");
        assertThatThrownBy(() -> a.free(2048, 64)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2048");
        assertThatThrownBy(() -> new FirstFitAllocator(List.of(100L))).hasMessageContaining("100");
    }
}
