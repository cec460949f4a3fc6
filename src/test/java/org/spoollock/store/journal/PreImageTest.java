package org.spoollock.store.journal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import org.junit.jupiter.api.Test;

/** Where PreImage cuts its blocks: at every place a kill can leave a rewrite, so no block is half old, half new. */
class PreImageTest {

    @Test
    void aRangeOfTwoBytesAcrossAPageBoundaryIsTwoBlocks() {
        assertArrayEquals(new long[] {4095, 4096, 4097}, PreImage.cuts(4095, 4097, List.of(), null));
        assertArrayEquals(new long[] {7}, PreImage.cuts(7, 7, List.of(), null));
    }

    @Test
    void blocksAreCutAtEveryPageEveryPatchEndAndTheGrowthChunk() {
        Random r = new Random(42);
        for (int round = 0; round < 500; round++) {
            long from = r.nextInt(20_000);
            long to = from + r.nextInt(3 << 20);
            List<Journal.Patch> patches = new ArrayList<>();
            long p = from;
            while (p < to && patches.size() < 6) {
                long start = p + r.nextInt(50_000);
                long len = 1 + r.nextInt(200_000);
                patches.add(Journal.Patch.copy(start, 0, len));
                p = start + len;
            }
            Journal.Patch chunk = Journal.Patch.copy(from + r.nextInt((int) (to - from) + 1), 0, 10);
            long[] c = PreImage.cuts(from, to, patches, chunk);
            assertEquals(from, c[0]);
            assertEquals(to, c[c.length - 1]);
            Set<Long> at = new HashSet<>();
            for (int i = 0; i < c.length; i++) {
                at.add(c[i]);
                if (i > 0) {
                    assertTrue(c[i] > c[i - 1], "ascending");
                    assertTrue(c[i] - c[i - 1] <= PreImage.PAGE, "no block longer than a page");
                }
            }
            for (long g = (from / PreImage.PAGE + 1) * PreImage.PAGE; g < to; g += PreImage.PAGE) {
                assertTrue(at.contains(g), "page boundary " + g);
            }
            for (Journal.Patch x : patches) {
                for (long b : new long[] {x.offset(), x.offset() + x.length()}) {
                    assertTrue(b <= from || b >= to || at.contains(b), "patch end " + b);
                }
            }
            assertTrue(chunk.offset() <= from || chunk.offset() >= to || at.contains(chunk.offset()), "growth chunk");
        }
    }
}
