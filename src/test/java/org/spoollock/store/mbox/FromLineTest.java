package org.spoollock.store.mbox;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

/** The rule in isolation; FromLineIT checks it against c-client's own parser on hundreds of lines. */
class FromLineTest {
    @Test
    void acceptsEveryDateLayoutCClientKnows() {
        for (String l : new String[] {
                "From user Wed Dec  2 05:53 1992", "From user Wed Dec  2 05:53:22 1992",
                "From user Wed Dec  2 05:53 PST 1992", "From user Wed Dec  2 05:53:22 -0700 1992",
                "From user Wed Dec  2 05:53:22 1992 PST", "From user Wed Dec  2 05:53:22 1992 -0700",
                "From user Wed Dec  2 05:53:22 1992 remote from host", "From user Wed Dec  2 05:53:22 1992\r",
                "From sender with spaces Wed Dec  2 05:53:22 1992"}) {
            assertTrue(FromLine.isValid(l), l);
        }
    }

    @Test
    void rejectsLinesThatOnlyLookLikeIt() {
        for (String l : new String[] {
                "From the editor's desk", "From user Wed Dec 2 05:53:22 1992", "From user Wed Dec  2 05:53:22 92",
                "From user Wed Dec  2 05:53:22 1992 ", "from user Wed Dec  2 05:53:22 1992",
                ">From user Wed Dec  2 05:53:22 1992", "From user Wed Dec  2 05:53:22 1992  remote from x", "From "}) {
            assertFalse(FromLine.isValid(l), l);
        }
    }

    /**
     * The rule reads a few bytes before a short line's start (c-client's pointer arithmetic), which a reader
     * has or not depending on where its buffer starts: the previous line's bytes, or 0s at the buffer's
     * start (a parallel scan's part starts its buffer at a From_ line the whole parse reads in mid-buffer).
     * Whatever those bytes are, the verdict must not change: for every line short enough to look back,
     * the spaces the rule needs land on "From" first. Random lines built from date-like pieces.
     */
    @Test
    void bytesBeforeTheLineNeverDecide() {
        java.util.Random r = new java.util.Random(20261205);
        String[] dates = {"Wed Dec  2 05:53 1992", "Wed Dec  2 05:53:22 1992", "Wed Dec  2 05:53 PST 1992",
                "Wed Dec  2 05:53:22 -0700 1992", "Wed Dec  2 05:53:22 1992 PST", "Wed Dec  2 05:53:22 1992 -0700",
                "Wed Dec  2 05:53:22 1992 remote from host", "Wed Dec  2 05:53 +0100 1992"};
        byte[] before = new byte[8];
        int valid = 0;
        for (int n = 0; n < 200_000; n++) {
            // "From ", a sender of 0-6 bytes, a date layout; then up to 4 edits after "From ": a byte or a run cut, a byte changed
            StringBuilder l = new StringBuilder("From ");
            for (int i = r.nextInt(7); i > 0; i--) {
                l.append(" xu".charAt(r.nextInt(3)));
            }
            l.append(dates[r.nextInt(dates.length)]);
            for (int e = r.nextInt(5); e > 0 && l.length() > 5; e--) {
                int at = 5 + r.nextInt(l.length() - 5);
                switch (r.nextInt(3)) {
                    case 0 -> l.deleteCharAt(at);
                    case 1 -> l.delete(at, Math.min(l.length(), at + 1 + r.nextInt(12))); // down to the shortest lines
                    default -> l.setCharAt(at, " :0+-".charAt(r.nextInt(5)));
                }
            }
            byte[] line = (l + "\n").getBytes(StandardCharsets.US_ASCII);
            for (int i = 0; i < before.length; i++) {
                before[i] = (byte) " :+-0 x".charAt(r.nextInt(7));
            }
            byte[] after = new byte[before.length + line.length];
            System.arraycopy(before, 0, after, 0, before.length);
            System.arraycopy(line, 0, after, before.length, line.length);
            boolean alone = FromLine.isValid(line, 0, line.length);
            valid += alone ? 1 : 0;
            if (alone != FromLine.isValid(after, before.length, after.length)) {
                throw new AssertionError("\"" + l + "\" after \"" + new String(before, StandardCharsets.US_ASCII)
                        + "\": valid " + alone + " at a buffer's start, not after those bytes");
            }
        }
        assertTrue(valid > 1000, "too few valid lines among the random ones to mean anything: " + valid);
    }

    @Test
    void needsTheNewlineAndStopsAtNul() {
        byte[] noNewline = "From user Wed Dec  2 05:53:22 1992".getBytes(StandardCharsets.US_ASCII);
        assertFalse(FromLine.isValid(noNewline, 0, noNewline.length));
        byte[] nul = "From us\0r Wed Dec  2 05:53:22 1992\n".getBytes(StandardCharsets.US_ASCII);
        assertFalse(FromLine.isValid(nul, 0, nul.length));
        byte[] inside = "x\nFrom user Wed Dec  2 05:53:22 1992\nbody\n".getBytes(StandardCharsets.US_ASCII);
        assertTrue(FromLine.isValid(inside, 2, inside.length));
        assertFalse(FromLine.isValid(inside, 2, 20), "the newline must be within the limit");
    }
}
