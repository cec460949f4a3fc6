package org.spoollock.store.maildir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import org.spoollock.store.Flags;

class MaildirNameTest {
    @Test
    void readsDovecotsNames() {
        // as doveadm flags add wrote them (see docs/maildir.md)
        MaildirName n = MaildirName.parse("1796318721.M557579P12466.vm,S=19,W=21:2,DRTc");
        assertEquals("1796318721.M557579P12466.vm,S=19,W=21", n.base());
        assertEquals(Flags.DRAFT | Flags.ANSWERED | Flags.DELETED, n.flags());
        assertArrayEquals(new int[] {2}, n.keywordIndexes());
        assertEquals(19, n.size().getAsLong());
        assertEquals(21, n.virtualSize().getAsLong());
        assertEquals(1796318721L * 1_000_000 + 557579, n.deliveredMicros());
    }

    @Test
    void writesLettersInAsciiOrderAndKeepsLettersItDoesNotKnow() {
        MaildirName n = MaildirName.parse("1.M2P3.h,S=5:2,Pb");
        MaildirName m = n.withFlags(Flags.SEEN | Flags.FLAGGED, new int[] {1, 0});
        assertEquals("1.M2P3.h,S=5:2,FPSab", m.fileName());
        assertEquals("1.M2P3.h,S=5:2,P", n.withFlags(0, new int[0]).fileName());
        assertEquals("x:2,", MaildirName.parse("x").withFlags(0, new int[0]).fileName());
    }

    @Test
    void aNameWithoutInfoHasNoFlagsAndABadFieldIsSeen() {
        MaildirName n = MaildirName.parse("123.abc,S=x");
        assertEquals(0, n.flags());
        assertTrue(n.badField('S'));
        assertTrue(n.size().isEmpty());
    }

    @Test
    void crlfBecomesLfAndTheVirtualSizeCountsItBack() {
        byte[] t = MaildirFiles.lf("A: b\r\n".getBytes(StandardCharsets.US_ASCII),
                "xx\r\nbody\nend\r".getBytes(StandardCharsets.US_ASCII), 2, 11);
        assertEquals("A: b\n\nbody\nend\r", new String(t, StandardCharsets.US_ASCII)); // a lone CR stays
        assertEquals(t.length + 3, MaildirFiles.virtualSize(t));
    }

    @Test
    void theHostPartCannotSplitTheName() {
        assertEquals("a\\057b\\072c\\054d", MaildirFiles.host("a/b:c,d"));
    }
}
