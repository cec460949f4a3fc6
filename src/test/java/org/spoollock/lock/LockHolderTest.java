package org.spoollock.lock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.OptionalLong;

import org.junit.jupiter.api.Test;

class LockHolderTest {
    private static LockHolder parse(String s) {
        return LockHolder.parse(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    @Test
    void roundTripsOurFormatWithThePidAloneOnTheFirstLine() {
        LockHolder h = new LockHolder(LockHolder.Format.SPOOLLOCK, 4242, "mail1", OptionalLong.of(77), "boot-x");
        String text = new String(h.render(), StandardCharsets.US_ASCII);
        assertEquals("4242\nspoollock host=mail1 start=77 boot=boot-x\n", text);
        assertEquals(h, LockHolder.parse(h.render()));
        assertEquals("pid 4242 on mail1", h.describe());
        byte[] withToken = h.render("9f3a");
        assertEquals("4242\nspoollock host=mail1 start=77 boot=boot-x lock=9f3a\n", new String(withToken, StandardCharsets.US_ASCII));
        assertEquals(h, LockHolder.parse(withToken), "the token is not part of the holder's identity");
    }

    @Test
    void readsEveryPeersContentsWithoutError() {
        assertEquals(LockHolder.Format.EMPTY, parse("").format());           // c-client, Python
        LockHolder procmail = parse("0");
        assertEquals(LockHolder.Format.PID_ONLY, procmail.format());
        assertEquals(0, procmail.pid());
        assertTrue(procmail.describe().contains("procmail"));
        LockHolder lib = parse("6902\n");                                      // liblockfile -p
        assertEquals(LockHolder.Format.PID_ONLY, lib.format());
        assertEquals(6902, lib.pid());
        assertEquals(6902, parse("  6902  \n").pid());
        assertEquals(LockHolder.Format.UNRECOGNISED, parse("\u0000\u00ff garbage\n").format());
        assertEquals(LockHolder.Format.UNRECOGNISED, parse("99999999999999999999").format());
        assertEquals(LockHolder.Format.UNRECOGNISED, parse("-5").format());
        // A second line that is ours but broken degrades to PID_ONLY, never an exception.
        assertEquals(LockHolder.Format.PID_ONLY, parse("12\nspoollock start=x\n").format());
        LockHolder badStart = parse("12\nspoollock host=h start=x boot=b\n");
        assertEquals(LockHolder.Format.SPOOLLOCK, badStart.format());
        assertTrue(badStart.startTicks().isEmpty());
    }
}
