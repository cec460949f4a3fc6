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
